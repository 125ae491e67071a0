import { describe, expect, it } from 'vitest';
import { classifyTensorflowLoadError } from './tensorflow-load-error.ts';

const CUDA = /CUDA 11\.2 .*cuDNN 8\.1.*LD_LIBRARY_PATH.*CUDA_CACHE_MAXSIZE=2147483648/;

describe('classifyTensorflowLoadError', () => {
  const cases: { name: string; message: string; reason: string | RegExp; hint?: RegExp }[] = [
    {
      name: 'Node ESM: gpu package missing',
      message: "Cannot find package '@tensorflow/tfjs-node-gpu' imported from /w/src/backend/tensorflow.ts",
      reason: '@tensorflow/tfjs-node-gpu not installed',
      hint: /^npm install @tensorflow\/tfjs-node-gpu on a machine with internet.*CUDA 11\.2 \+ cuDNN 8\.1/,
    },
    {
      name: 'CommonJS: cpu package missing',
      message: "Cannot find module '@tensorflow/tfjs-node'\nRequire stack:\n- /w/x.js",
      reason: '@tensorflow/tfjs-node not installed',
      hint: /^npm install @tensorflow\/tfjs-node on a machine with internet/,
    },
    {
      name: 'Vite resolver wording',
      message: 'Failed to load url @tensorflow/tfjs-node-gpu (resolved id: @tensorflow/tfjs-node-gpu) in /w/a.ts',
      reason: '@tensorflow/tfjs-node-gpu not installed',
      hint: /npm install @tensorflow\/tfjs-node-gpu/,
    },
    {
      name: 'CUDA 12 only: libcudart 11 missing',
      message: 'libcudart.so.11.0: cannot open shared object file: No such file or directory',
      reason: 'CUDA 11 library libcudart.so.11.0 not found',
      hint: CUDA,
    },
    {
      name: 'cuBLAS 11 missing',
      message: 'Error: libcublasLt.so.11: cannot open shared object file',
      reason: 'CUDA 11 library libcublasLt.so.11 not found',
      hint: CUDA,
    },
    {
      name: 'cuDNN 8 missing',
      message: "Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file",
      reason: 'cuDNN 8 library libcudnn.so.8 not found',
      hint: CUDA,
    },
    {
      name: 'libtensorflow never downloaded',
      message: 'Error: libtensorflow.so.2: cannot open shared object file: No such file or directory',
      reason: /^libtensorflow\.so\.2 missing: the package's install step could not download libtensorflow$/,
      hint: /npm rebuild @tensorflow\/tfjs-node-gpu/,
    },
    {
      // The addon path contains the package name, so this must not read as "not installed".
      name: 'addon missing inside an installed package',
      message: "Cannot find module '/w/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node'",
      reason: /^native addon tfjs_binding\.node missing/,
      hint: /npm rebuild/,
    },
    {
      name: 'addon built for another Node',
      message: 'was compiled against a different Node.js version using NODE_MODULE_VERSION 108. This version requires 115.',
      reason: 'native addon was built for a different Node.js version',
      hint: /npm rebuild/,
    },
    {
      name: 'old glibc',
      message: "/lib/x86_64-linux-gnu/libm.so.6: version `GLIBC_2.29' not found (required by libtensorflow_framework.so.2)",
      // Names libtensorflow, but as the library needing a newer glibc, not as a missing one.
      reason: 'system C/C++ library too old for the prebuilt libtensorflow (needs GLIBC_2.29)',
      hint: /newer Linux/,
    },
    {
      name: 'anything else: first line kept',
      message: 'Segmentation fault in foo\n    at bar (baz.js:1:1)',
      reason: 'failed to load: Segmentation fault in foo',
    },
  ];

  it.each(cases)('$name', ({ message, reason, hint }) => {
    const got = classifyTensorflowLoadError(message);
    if (typeof reason === 'string') expect(got.reason).toBe(reason);
    else expect(got.reason).toMatch(reason);
    if (hint) expect(got.hint).toMatch(hint);
  });

  it('gives no hint for an unknown error', () => {
    expect(classifyTensorflowLoadError('boom').hint).toBeUndefined();
  });
});
