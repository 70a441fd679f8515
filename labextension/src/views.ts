/** Which widget renders which kind of view. */
import type { Widget } from '@lumino/widgets';
import type { ViewKind, Views } from '@charrnn/schema';
import type { KernelLink } from './comm';
import { ActivationsWidget } from './activations';
import { NeuronsWidget } from './neurons';
import { NgramWidget } from './ngram';
import { SamplerWidget } from './sampler';
import { SaturationWidget } from './saturation';
import { TrainingWidget } from './training';

/** A widget that shows one kind of view and redraws in place when given a newer one. */
export interface ViewWidget<K extends ViewKind> extends Widget {
  setView(view: Views[K]): void;
}

export const WIDGETS: { [K in ViewKind]: (link: KernelLink | null) => ViewWidget<K> } = {
  training: (link) => new TrainingWidget(link),
  sampler: (link) => new SamplerWidget(link),
  activations: (link) => new ActivationsWidget(link),
  neurons: (link) => new NeuronsWidget(link),
  saturation: () => new SaturationWidget(),
  ngram: () => new NgramWidget(),
};
