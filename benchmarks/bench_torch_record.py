"""How fast is rnnviz.record on a PyTorch module? Prints ratios measured in one run.

    python benchmarks/bench_torch_record.py

nn.LSTM and nn.GRU alone (batch first), batch 32, 500 steps, 4 features, 64 units, on
CPU: record time / one plain forward pass of the module                 target <= 1.5,
  * wall time with PyTorch's default threads, against ``module(x)`` under
    ``torch.no_grad()`` and against ``module(x)`` as it is (autograd on);
  * CPU time on one thread against ``module(x)`` under ``torch.no_grad()``: steadier
    on a shared machine, where wall times swing with the load.
Needs torch: the extra ``rnnviz[torch]`` (``torch==2.13.0``, installed by the set-up commands).
"""

from __future__ import annotations

import os
import statistics
import time

from bench_record import BATCH, FEATURES, STEPS, UNITS, alternating

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def cpu_ratio(first, second, repeats=15):
    """Median CPU seconds of ``first`` and ``second``, and the median ratio, alternating."""
    first(), second()
    rounds = []
    for _ in range(repeats):
        times = []
        for function in (first, second):
            start = time.process_time()
            function()
            times.append(time.process_time() - start)
        rounds.append(times)
    return [statistics.median(r[i] for r in rounds) for i in (0, 1)], statistics.median(a / b for a, b in rounds)


def main():
    import torch

    import rnnviz

    threads = torch.get_num_threads()
    for name, cls in (("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
        torch.manual_seed(0)
        module = cls(FEATURES, UNITS, batch_first=True).eval()
        x = torch.randn(BATCH, STEPS, FEATURES)

        def recording():
            rnnviz.record(module, x)

        def forward():
            with torch.no_grad():
                module(x)

        torch.set_num_threads(threads)
        (record_s, forward_s, plain_s), ratios = alternating(recording, forward, lambda: module(x))
        print(f"{name}, {threads} threads, wall: record {record_s * 1e3:.1f} ms, forward {forward_s * 1e3:.1f} ms "
              f"(no_grad), {plain_s * 1e3:.1f} ms (autograd on); record / forward = {ratios[0]:.2f} (no_grad), "
              f"{ratios[1]:.2f} (autograd on)   target <= 1.5")
        torch.set_num_threads(1)
        (record_cpu, forward_cpu), ratio = cpu_ratio(recording, forward)
        print(f"{name}, 1 thread, CPU time: record {record_cpu * 1e3:.1f} ms, forward {forward_cpu * 1e3:.1f} ms "
              f"(no_grad); record / forward = {ratio:.2f}   target <= 1.5")


if __name__ == "__main__":
    main()
