/** Turns the error from importing tfjs-node(-gpu) into a reason and a fix; pure. */

export interface LoadDiagnosis {
  reason: string;
  hint?: string;
}

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';

const CUDA_HINT =
  'tfjs-node-gpu 4.22 is built for CUDA 11.2 + cuDNN 8.1: install the CUDA 11.2 runtime and cuDNN 8.1 ' +
  'libraries beside the newer driver (the driver stays) and put their lib64 folders on LD_LIBRARY_PATH; ' +
  'Ampere/Hopper GPUs JIT-compile PTX at first start (minutes), set CUDA_CACHE_MAXSIZE=2147483648 to keep the cache';

function installHint(pkg: string): string {
  return pkg === GPU_PACKAGE
    ? `npm install ${GPU_PACKAGE} on a machine with internet (it downloads libtensorflow at install); needs CUDA 11.2 + cuDNN 8.1`
    : `npm install ${pkg} on a machine with internet (it downloads libtensorflow at install)`;
}

interface Rule {
  test: RegExp;
  diagnose: (match: RegExpExecArray) => LoadDiagnosis;
}

// Order matters: the first matching rule wins. A too-old glibc message also names the library
// that needed it, and a missing addon's path contains the package name, so both come early.
const RULES: Rule[] = [
  {
    test: /(GLIBC(?:XX)?_[\d.]+)' not found/,
    diagnose: (m) => ({
      reason: `system C/C++ library too old for the prebuilt libtensorflow (needs ${m[1]})`,
      hint: 'use a newer Linux distribution or container image',
    }),
  },
  {
    test: /(lib(?:cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse)\.so\.11(?:\.\d+)*)/,
    diagnose: (m) => ({ reason: `CUDA 11 library ${m[1]} not found`, hint: CUDA_HINT }),
  },
  {
    test: /(libcudnn[a-z_]*\.so\.8(?:\.\d+)*)/,
    diagnose: (m) => ({ reason: `cuDNN 8 library ${m[1]} not found`, hint: CUDA_HINT }),
  },
  {
    test: /(libtensorflow(?:_framework)?\.so(?:\.\d+)*)/,
    diagnose: (m) => ({
      reason: `${m[1]} missing: the package's install step could not download libtensorflow`,
      hint: 'reinstall it on a machine with internet: npm rebuild @tensorflow/tfjs-node-gpu (or @tensorflow/tfjs-node)',
    }),
  },
  {
    test: /tfjs_binding\.node/,
    diagnose: () => ({
      reason: 'native addon tfjs_binding.node missing: the package was installed without its prebuilt binary',
      hint: 'reinstall it on a machine with internet: npm rebuild @tensorflow/tfjs-node-gpu (or @tensorflow/tfjs-node)',
    }),
  },
  {
    test: /NODE_MODULE_VERSION|compiled against a different Node\.js version/,
    diagnose: () => ({
      reason: 'native addon was built for a different Node.js version',
      hint: 'run npm rebuild @tensorflow/tfjs-node-gpu with the Node.js that runs batchlab',
    }),
  },
  {
    // Node's ESM ("Cannot find package"), CommonJS ("Cannot find module") and Vite's resolver wordings.
    test: /(?:Cannot find (?:package|module)|Failed to (?:load url|resolve import)) ['"]?(@tensorflow\/tfjs-node(?:-gpu)?)['"/ ]/,
    diagnose: (m) => ({ reason: `${m[1]} not installed`, hint: installHint(m[1]) }),
  },
];

/** First line of an error message, without the stack or require chain that follows. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

/** Classifies the message of an error thrown while importing tfjs-node or tfjs-node-gpu. */
export function classifyTensorflowLoadError(message: string): LoadDiagnosis {
  for (const rule of RULES) {
    const match = rule.test.exec(message);
    if (match) return rule.diagnose(match);
  }
  return { reason: `failed to load: ${firstLine(message)}` };
}
