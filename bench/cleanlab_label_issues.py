"""cleanlab 2.9 doing what `labelcheck label-issues --limit 0` does, as a whole process.

    python3 bench/cleanlab_label_issues.py pred_probs.npy labels.npy > out.json

Loads both arrays, finds the label issues (prune_by_noise_rate) ranked by self-confidence,
computes the confident joint, joint, noise matrices and py, the per-class label health and
the overall score, and writes them as JSON — the work labelcheck's CLI does for the same
request. Used by `npm run bench:cli` (bench/cli.bench.ts) where cleanlab is installed.
"""
import json
import sys

import numpy as np
from cleanlab.count import compute_confident_joint, estimate_joint, estimate_py_and_noise_matrices_from_probabilities
from cleanlab.dataset import overall_label_health_score, rank_classes_by_label_quality
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores


def main(pp_path: str, labels_path: str) -> None:
    pred_probs = np.load(pp_path)
    labels = np.load(labels_path)
    ranked = find_label_issues(labels, pred_probs, filter_by="prune_by_noise_rate",
                               return_indices_ranked_by="self_confidence")
    scores = get_label_quality_scores(labels[ranked], pred_probs[ranked], method="self_confidence")
    suggested = pred_probs.argmax(axis=1)
    cj = compute_confident_joint(labels, pred_probs)
    joint = estimate_joint(labels, pred_probs, confident_joint=cj)
    py, noise, inv_noise, _ = estimate_py_and_noise_matrices_from_probabilities(labels, pred_probs)
    classes = rank_classes_by_label_quality(labels, pred_probs, joint=joint)
    overall = overall_label_health_score(labels, pred_probs, confident_joint=cj, verbose=False)
    body = {
        "num_examples": int(len(labels)),
        "num_classes": int(pred_probs.shape[1]),
        "num_label_issues": int(len(ranked)),
        "label_issues": [
            {"index": int(i), "given_label": int(labels[i]), "suggested_label": int(suggested[i]),
             "label_quality": float(s)}
            for i, s in zip(ranked, scores)
        ],
        "confident_joint": cj.tolist(),
        "joint": joint.tolist(),
        "noise_matrix": noise.tolist(),
        "inverse_noise_matrix": inv_noise.tolist(),
        "py": py.tolist(),
        "classes": classes.to_dict(orient="records"),
        "overall_label_health_score": float(overall),
    }
    json.dump(body, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
