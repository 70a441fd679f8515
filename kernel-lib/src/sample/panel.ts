/**
 * Interactive sampling in a notebook: the sampler's settings and samples recorded for a grid of temperatures (they
 * stay in the notebook, see display/sampler.ts), and, while the kernel runs, live sampling for the widget's
 * SamplerRequests through a comm.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_SAMPLING,
  SAMPLER_LIMITS,
  VIEW_VERSIONS,
  type SampleSettings,
  type SamplerReply,
  type SamplerRequest,
  type SamplerView,
} from '@charrnn/schema';
import type { Displayable, MimeBundle } from '../display/bundle';
import { samplerBundle } from '../display/sampler';
import { CharRNNError } from '../errors';
import { registerCommTarget, type Comm } from '../kernel/comm';
import type { CharRNN } from '../model/charrnn';
import type { Vocab } from '../text/vocab';
import { beamSearch, preparePrime, sample } from './sampler';

export interface SamplerPanelOptions {
  prime?: string;
  /** Characters per sample (default 200). */
  length?: number;
  seed?: number;
  /** 0 = no limit (default). */
  topK?: number;
  /** Beam search keeping this many continuations, for the recorded samples and as the widget's start (0 = off, default). */
  beam?: number;
  /** Temperatures recorded at display time (default 0.2, 0.5, 1, 1.5). */
  temperatures?: number[];
}

/** A streamed sample is sent in pieces at most this many ms apart. */
const CHUNK_MS = 50;

/** A request's settings made safe to sample with: whole numbers in range, or a CharRNNError. */
export function checkRequest(vocab: Vocab, req: SamplerRequest): SampleSettings {
  const whole = (v: unknown, { min, max }: { min: number; max: number }, name: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new CharRNNError(`${name} must be a whole number from ${min} to ${max}, got ${String(v)}`);
    return v;
  };
  if (typeof req.temperature !== 'number' || !(req.temperature > 0))
    throw new CharRNNError(`temperature must be a number above 0, got ${String(req.temperature)}`);
  return {
    prime: preparePrime(
      vocab,
      String(req.prime ?? ''),
      req.dropUnknown === true,
      'tick "drop unknown characters" to leave them out',
    ),
    length: whole(req.length, SAMPLER_LIMITS.length, 'length'),
    temperature: req.temperature,
    seed: whole(req.seed, SAMPLER_LIMITS.seed, 'seed'),
    topK: whole(req.topK, { min: 0, max: vocab.size }, 'top-k'),
    beam: whole(req.beam ?? 0, SAMPLER_LIMITS.beam, 'beam'),
  };
}

/**
 * Interactive sampling from a model in a notebook: `display(new SamplerPanel(model, vocab))` shows the sampler
 * widget; moving its temperature slider streams new samples from the kernel.
 */
export class SamplerPanel implements Displayable {
  readonly commTarget = `charrnn.sampler.${randomBytes(6).toString('hex')}`;
  readonly defaults: SampleSettings;
  readonly grid: { temperature: number; text: string }[];

  constructor(
    readonly model: CharRNN,
    readonly vocab: Vocab,
    opts: SamplerPanelOptions = {},
  ) {
    const d = DEFAULT_SAMPLING;
    this.defaults = {
      prime: opts.prime ?? d.prime,
      length: opts.length ?? d.length,
      temperature: d.temperature,
      seed: opts.seed ?? d.seed,
      topK: opts.topK ?? d.topK,
      beam: opts.beam ?? d.beam,
    };
    this.grid = (opts.temperatures ?? [0.2, 0.5, 1, 1.5]).map((temperature) => ({
      temperature,
      text: sample(model, vocab, { ...this.defaults, temperature }),
    }));
    registerCommTarget(this.commTarget, (comm) => comm.onMsg((msg: SamplerRequest) => this.answer(comm, msg)));
  }

  view(): SamplerView {
    return {
      version: VIEW_VERSIONS.sampler,
      commTarget: this.commTarget,
      config: { ...this.model.config },
      defaults: this.defaults,
      grid: this.grid,
    };
  }

  toMimeBundle(): MimeBundle {
    return samplerBundle(this.view());
  }

  /**
   * Samples for one request, sending the text in pieces as it is drawn; with beam search the best continuation in
   * one piece and every kept one beside it. Errors go back as one line.
   */
  answer(comm: Comm, req: SamplerRequest): void {
    if (req?.action !== 'sample') return;
    const requestId = req.requestId;
    const send = (reply: SamplerReply) => comm.send(reply);
    try {
      const { beam, ...settings } = checkRequest(this.vocab, req);
      if (beam) {
        const beams = beamSearch(this.model, this.vocab, { ...settings, beam });
        send({ requestId, chunk: beams[0].text, done: true, beams });
        return;
      }
      let chunk = settings.prime;
      let sentAt = Date.now();
      sample(this.model, this.vocab, {
        ...settings,
        onChar: (ch) => {
          chunk += ch;
          if (Date.now() - sentAt >= CHUNK_MS) {
            send({ requestId, chunk, done: false });
            chunk = '';
            sentAt = Date.now();
          }
        },
      });
      send({ requestId, chunk, done: true });
    } catch (e) {
      send({
        requestId,
        chunk: '',
        done: true,
        error: e instanceof CharRNNError ? e.message : `sampling failed: ${String(e)}`,
      });
    }
  }
}
