#!/usr/bin/python3
"""The PyTorch peer of `npm run bench`: the same char-level models, data layout and optimizer as our side, timed the
same way, so the two can be compared in one run. Prints one JSON object on stdout.

  peer.py info
  peer.py train  --text FILE --cell lstm --layers 2 --hidden 128 --batch 50 --seq 50 --threads 1 --seconds 5
  peer.py train  --text FILE ... --device cuda --epochs 1     (one whole epoch, timed)
  peer.py sample --text FILE --cell lstm --layers 2 --hidden 128 --length 1000 --repeats 3 --threads 1 [--streams 256]

Models: nn.LSTM / nn.GRU / nn.RNN (tanh) on one-hot input, then nn.Linear, cross-entropy, Adam (lr 2e-3).
Batches as char-rnn lays them out: B contiguous streams, batch i is chunk i of each, the hidden state carried over.
--device cuda runs them on the GPU, where nn.LSTM is cuDNN's: the reference a PyTorch user gets on NVIDIA. `info`
says whether this torch has CUDA and names the GPU (the bench runs the CUDA rows only then).
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class CharModel(nn.Module):
    def __init__(self, cell, vocab, hidden, layers):
        super().__init__()
        self.vocab = vocab
        self.rnn = CELLS[cell](vocab, hidden, layers)  # time-major: input [T, B, V]
        self.out = nn.Linear(hidden, vocab)

    def forward(self, ids, state):  # ids [T, B] -> logits [T*B, V]
        x = F.one_hot(ids, self.vocab).float()
        h, state = self.rnn(x, state)
        return self.out(h.reshape(-1, h.shape[-1])), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def load_ids(path):
    text = open(path, encoding="utf-8").read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    return torch.tensor([index[c] for c in text], dtype=torch.long), len(chars)


def batches(ids, B, T):
    """The number of batches in an epoch, and (x, y) [T, B] forever, char-rnn's layout: stream b starts at b * stride."""
    n = (len(ids) - 1) // (B * T)
    stride = n * T
    starts = torch.arange(B, device=ids.device) * stride
    steps = torch.arange(T, device=ids.device)[:, None]

    def forever():
        while True:
            for i in range(n):
                pos = starts[None, :] + i * T + steps  # [T, B]
                yield ids[pos], ids[pos + 1]

    return n, forever()


def train(args, ids, V, device):
    torch.manual_seed(0)
    model = CharModel(args.cell, V, args.hidden, args.layers).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    per_epoch, data = batches(ids.to(device), args.batch, args.seq)
    state = None

    def iteration():
        nonlocal state
        x, y = next(data)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits, y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = detach(state)
        return loss.item()  # waits for the GPU: every timed iteration has finished when the clock is read

    for _ in range(args.warmup):
        iteration()
    iters, start = 0, time.perf_counter()
    if args.epochs > 0:  # whole epochs (what a user waits for), however long they take
        for _ in range(args.epochs * per_epoch):
            loss = iteration()
            iters += 1
    else:
        while iters < args.min_iters or time.perf_counter() - start < args.seconds:
            loss = iteration()
            iters += 1
    elapsed = time.perf_counter() - start
    return {"chars_per_s": iters * args.batch * args.seq / elapsed, "iters": iters, "seconds": elapsed, "loss": loss,
            "batches_per_epoch": per_epoch}


@torch.no_grad()
def sample(args, V, device):
    """`streams` samples drawn at once, one char each per step: chars_per_s counts the chars of all streams."""
    torch.manual_seed(0)
    model = CharModel(args.cell, V, args.hidden, args.layers).to(device).eval()
    ids = torch.zeros(1, args.streams, dtype=torch.long, device=device)
    state = None
    for _ in range(20):  # warm-up
        logits, state = model(ids, state)
    best = float("inf")
    for _ in range(args.repeats):  # the best of a few runs: a busy machine only ever slows a run down
        start = time.perf_counter()
        for _ in range(args.length):
            logits, state = model(ids, state)
            ids = torch.multinomial(F.softmax(logits, dim=-1), 1).reshape(1, args.streams)
        ids.cpu()  # the drawn chars reach the host, as ours do
        best = min(best, time.perf_counter() - start)
    return {"chars_per_s": args.length * args.streams / best, "seconds": best, "streams": args.streams}


def info():
    """What this torch can run on: CUDA or not, the GPU's name, cuDNN's version."""
    cuda = torch.cuda.is_available()
    return {"torch": torch.__version__, "cuda": cuda,
            "gpu": torch.cuda.get_device_name(0) if cuda else None,
            "cudnn": torch.backends.cudnn.version() if cuda else None,
            "why": None if cuda else ("this torch is built without CUDA" if torch.version.cuda is None
                                      else "torch has CUDA " + torch.version.cuda + " but sees no GPU")}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "sample", "info"])
    p.add_argument("--text")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--epochs", type=int, default=0, help="train: time this many whole epochs instead of --seconds")
    p.add_argument("--streams", type=int, default=1, help="sample: streams drawn at once")
    p.add_argument("--cell", default="lstm", choices=list(CELLS))
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--seq", type=int, default=50)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--min-iters", type=int, default=3)
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    if args.mode == "info":
        print(json.dumps(info()))
        return
    if args.text is None:
        p.error("--text is required")
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: " + info()["why"])
    torch.set_num_threads(args.threads)
    ids, V = load_ids(args.text)
    device = torch.device(args.device)
    result = train(args, ids, V, device) if args.mode == "train" else sample(args, V, device)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update(threads=args.threads, torch=torch.__version__, vocab=V, peak_rss_mb=peak_mb, device=args.device)
    if args.device == "cuda":
        result.update(gpu=torch.cuda.get_device_name(0), cudnn=torch.backends.cudnn.version(),
                      peak_gpu_mb=torch.cuda.max_memory_allocated() / 2**20)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
