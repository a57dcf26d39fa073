/**
 * Content for the demo dataset (seeds/demo/examples.jsonl): one short caption per example,
 * written from its TRUE class, so an injected label error is visibly wrong to a reviewer
 * ("A tree frog clinging to a wet leaf" labelled "cat"). Deterministic.
 * Usage: npx tsx seeds/demo-content.ts (also run by seeds/generate.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './synthetic.js';

/** Per class: subjects and scenes; a caption is "<subject> <scene>." */
const PHRASES: Record<string, [string[], string[]]> = {
  airplane: [
    ['A twin-engine airliner', 'A small propeller plane', 'A jet fighter', 'A cargo aircraft', 'A seaplane', 'A glider'],
    ['climbing after take-off', 'on final approach over the fields', 'parked at the gate', 'banking above the clouds', 'taxiing on a wet runway', 'against a clear blue sky'],
  ],
  ship: [
    ['A container ship', 'A white ferry', 'A fishing trawler', 'An old sailing ship', 'A tanker', 'A cruise liner'],
    ['leaving the harbour at dusk', 'anchored in calm water', 'ploughing through grey waves', 'moored at the quay', 'seen from the shore', 'under a cloudy sky'],
  ],
  automobile: [
    ['A red hatchback', 'A family sedan', 'A vintage convertible', 'A small electric car', 'A silver station wagon', 'A sports coupé'],
    ['parked on a quiet street', 'waiting at a traffic light', 'in a supermarket car park', 'on a country road', 'outside a suburban house', 'seen from the side'],
  ],
  truck: [
    ['A delivery lorry', 'A dump truck', 'A fire engine', 'A tow truck', 'An articulated lorry', 'A pickup truck with a loaded bed'],
    ['on the motorway', 'at a building site', 'backing into a loading dock', 'parked by the roadside', 'on a gravel road', 'in heavy traffic'],
  ],
  cat: [
    ['A tabby cat', 'A black kitten', 'A ginger cat', 'A Siamese cat', 'A fluffy grey cat', 'A sleepy house cat'],
    ['curled up on a sofa', 'sitting on a windowsill', 'playing with a ball of wool', 'stretching in the sun', 'peeking out of a box', 'washing its paws'],
  ],
  dog: [
    ['A golden retriever', 'A small terrier', 'A sheepdog', 'A dachshund', 'A black labrador', 'A beagle puppy'],
    ['fetching a stick', 'running on the beach', 'lying by the fireplace', 'on a lead in the park', 'wagging its tail', 'waiting at the door'],
  ],
  deer: [
    ['A red deer stag', 'A roe deer', 'A young fawn', 'A white-tailed deer', 'A doe', 'A small herd of deer'],
    ['grazing at the forest edge', 'standing in morning mist', 'crossing a meadow', 'among autumn leaves', 'listening, ears raised', 'in tall grass'],
  ],
  horse: [
    ['A chestnut horse', 'A grey pony', 'A black stallion', 'A draught horse', 'A mare and her foal', 'A racehorse'],
    ['galloping across a field', 'grazing behind a fence', 'in a stable doorway', 'being groomed', 'jumping a hurdle', 'standing in the paddock'],
  ],
  bird: [
    ['A robin', 'A blue tit', 'A seagull', 'A sparrow', 'A kingfisher', 'A blackbird'],
    ['perched on a branch', 'at a garden feeder', 'in flight over the water', 'singing on a fence post', 'on a snowy twig', 'pecking at seeds'],
  ],
  frog: [
    ['A green tree frog', 'A common frog', 'A bullfrog', 'A tiny poison dart frog', 'A brown toad-like frog', 'A frog'],
    ['clinging to a wet leaf', 'sitting on a lily pad', 'half-submerged in a pond', 'on a mossy stone', 'mid-jump', 'among reeds'],
  ],
};

export function demoCaptions(trueLabels: ArrayLike<number>, classNames: readonly string[], seed = 7): string[] {
  const rand = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < trueLabels.length; i++) {
    const [subjects, scenes] = PHRASES[classNames[trueLabels[i]!]!]!;
    const s = subjects[Math.floor(rand() * subjects.length)]!;
    const c = scenes[Math.floor(rand() * scenes.length)]!;
    out.push(`${s} ${c}.`);
  }
  return out;
}

export function writeDemoContent(dir: string): void {
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { true_labels: number[]; class_names: string[] };
  const captions = demoCaptions(truth.true_labels, truth.class_names);
  const lines = captions.map((text, i) => JSON.stringify({ id: `demo-${String(i).padStart(4, '0')}`, text }));
  writeFileSync(join(dir, 'examples.jsonl'), lines.join('\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'demo');
  writeDemoContent(dir);
  console.log(`wrote ${join(dir, 'examples.jsonl')}`);
}
