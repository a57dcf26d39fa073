import t from 'tap';
import { getTfBackend, isModuleNotFound } from '../src/backend.js';

const NAME = '@tensorflow/tfjs-node';

t.test('an absent tfjs-node counts as absent; a broken install does not', async (t) => {
  const nodeErr = Object.assign(new Error(`Cannot find package '${NAME}' imported from /app/src/backend.ts`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  t.equal(isModuleNotFound(nodeErr, NAME), true, "Node's ESM error");
  const cjsErr = Object.assign(new Error(`Cannot find module '${NAME}'`), { code: 'MODULE_NOT_FOUND' });
  t.equal(isModuleNotFound(cjsErr, NAME), true, "Node's CommonJS error");
  // ts-node's ESM resolver (tap's TypeScript plugin) throws the same message without `code`.
  t.equal(isModuleNotFound(new Error(`Cannot find package '${NAME}' imported from /x.ts`), NAME), true, 'no code');
  const inner = Object.assign(new Error(`Cannot find package 'node-pre-gyp' imported from /app/node_modules/${NAME}/x.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  t.equal(isModuleNotFound(inner, NAME), false, 'a dependency missing inside tfjs-node surfaces');
  t.equal(isModuleNotFound(new Error('libtensorflow.so: cannot open shared object file'), NAME), false);
  t.equal(isModuleNotFound(null, NAME), false);
});

t.test('the backend in use is tfjs-node when installed, else cpu', async (t) => {
  const b = await getTfBackend();
  t.ok(
    (b.package === NAME && b.backend === 'tensorflow') || (b.package === '@tensorflow/tfjs' && b.backend === 'cpu'),
    `${b.package} / ${b.backend}`,
  );
  t.equal(await getTfBackend(), b, 'cached');
});
