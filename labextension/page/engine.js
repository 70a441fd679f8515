// The page's engine choice (in place of kernel-lib's engine/choose): the TF.js engine, whatever is asked. The
// native addon and WebGPU through Dawn are Node modules; the page does not train.
// The library's browser entry imports the chooser, that is this module, so this module runs while that entry is
// still being read: its functions are looked up when called, not here.
import { forward, step } from '@charrnn/kernel/browser';

const TFJS = {
  name: 'tfjs',
  step: (...args) => step(...args),
  forward: (...args) => forward(...args),
  lossAndGrads() {
    throw new Error('the exported page samples and inspects; it does not train');
  },
};

export function chooseEngine() {
  return TFJS;
}

export function chooseSampler() {
  return TFJS;
}

export function engineFor() {
  return TFJS;
}
