/**
 * Choose the tfjs backend once per process: `@tensorflow/tfjs-node` (native libtensorflow)
 * when it is installed — the Docker image installs it — else the pure-JS `cpu` backend of
 * `@tensorflow/tfjs`. tfjs-node is an optionalDependency, so its absence is normal; any
 * other failure while loading it (a broken native binary, say) is a real error and is
 * rethrown rather than silently hidden.
 */

export interface TfBackend {
  /** tfjs backend name as `tf.getBackend()` reports it: `tensorflow` or `cpu`. */
  backend: string;
  /** The npm package that provides it. */
  package: string;
}

interface TfModule {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
}

const NATIVE_PACKAGE = '@tensorflow/tfjs-node';
const JS_PACKAGE = '@tensorflow/tfjs';

let cached: Promise<TfBackend> | undefined;

export function isModuleNotFound(err: unknown, name: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  const message = String((err as { message?: unknown }).message ?? '');
  // Only the package itself being absent counts; a missing dependency *inside* an
  // installed tfjs-node is a broken install and must surface.
  const namesPackage = message.includes(`'${name}'`) || message.includes(`"${name}"`);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return namesPackage;
  // Some loader hooks (e.g. ts-node's ESM resolver) throw Node's message without `code`.
  return code === undefined && namesPackage && /^Cannot find (package|module) /.test(message);
}

/** Import a package whose name is only known at run time (keeps bundlers and tsc out). */
async function importByName(name: string): Promise<unknown> {
  return import(name);
}

async function loadBackend(): Promise<TfBackend> {
  let native: TfModule | undefined;
  const nativeName = NATIVE_PACKAGE;
  try {
    native = (await importByName(nativeName)) as TfModule;
  } catch (err) {
    if (!isModuleNotFound(err, nativeName)) throw err;
  }
  if (native) {
    await native.ready();
    return { backend: native.getBackend(), package: NATIVE_PACKAGE };
  }
  const tf = (await importByName(JS_PACKAGE)) as TfModule;
  await tf.setBackend('cpu');
  await tf.ready();
  return { backend: tf.getBackend(), package: JS_PACKAGE };
}

/** The active tfjs backend (resolved once, then cached). */
export function getTfBackend(): Promise<TfBackend> {
  cached ??= loadBackend().catch((err: unknown) => {
    cached = undefined; // let a later call retry after a transient failure
    throw err;
  });
  return cached;
}
