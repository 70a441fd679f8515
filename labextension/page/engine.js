// The page's engine choice (in place of kernel-lib's engine/choose): the TF.js engine, whatever is asked. The
// native addon and WebGPU through Dawn are Node modules; the page does not train.
import { forward, step } from '@charrnn/kernel/dist/engine/tfjs/forward';

const TFJS = {
  name: 'tfjs',
  step,
  forward,
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
