#!/usr/bin/env python3
"""PyTorch timings of the same work as mopo's `nn` bench section, for side-by-side ratios.

    python3 scripts/bench/torch_reference.py [--threads N] [--chunks ROWS,ROWS] [--device cpu|cuda]
        [--scale K] [--json]

Shapes: HalfCheetah (obs 17, act 6), batch 256 (256·K with --scale K, and 50 000·K rollout rows).
  sac_update_ms              one SAC update: critics, actor, temperature, Polyak (2x256 ReLU nets)
  ensemble_step_ms           one Adam step of the dynamics ensemble: 7 members x 4x200 swish,
                             Gaussian NLL with learned log-variance bounds, weight decay
  rollout_transitions_per_s  one model step for 50 000 rows: all 7 members, a random elite
                             per row, a Gaussian sample, the max-std-norm penalty; rows in
                             chunks of each size given, the best reported (all in rollout_by_chunk)
Each figure is the fastest of several rounds, as wall time and (the *_cpu_* figures) as this
process's CPU time, the steadier measure on a busy machine. Data come from a seeded generator.
--device cuda runs everything on the GPU (times taken after torch.cuda.synchronize()).
Needs: apt-get install -y python3-torch libopenblas0-pthread
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

OBS, ACT, BATCH, HIDDEN = 17, 6, 256, 256
MEMBERS, ELITES, MODEL_HIDDEN, MODEL_LAYERS = 7, 5, 200, 4
WEIGHT_DECAYS = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]
ROLLOUT_ROWS = 50_000
DEVICE = 'cpu'


def mlp(inputs, outputs):
    return torch.nn.Sequential(
        torch.nn.Linear(inputs, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, outputs))


class Sac:
    def __init__(self, gen):
        self.actor = mlp(OBS, 2 * ACT)
        self.critics = [mlp(OBS + ACT, 1) for _ in range(2)]
        self.targets = [mlp(OBS + ACT, 1) for _ in range(2)]
        for target, critic in zip(self.targets, self.critics):
            target.load_state_dict(critic.state_dict())
        self.log_alpha = torch.zeros(1, requires_grad=True)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=3e-4)
        self.critic_opt = torch.optim.Adam([p for c in self.critics for p in c.parameters()], lr=3e-4)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=3e-4)
        self.gen = gen

    def policy(self, obs):
        mean, raw_log_std = self.actor(obs).chunk(2, dim=-1)
        log_std = raw_log_std.clamp(-5, 2)
        noise = torch.randn(mean.shape, generator=self.gen, device=DEVICE)
        u = mean + log_std.exp() * noise
        log_one_minus_tanh_sq = 2 * (math.log(2) - u - F.softplus(-2 * u))
        log_prob = (-0.5 * noise ** 2 - log_std - 0.5 * math.log(2 * math.pi) - log_one_minus_tanh_sq).sum(-1, keepdim=True)
        return torch.tanh(u), log_prob

    def update(self, s, a, r, s2, d):
        alpha = self.log_alpha.exp().detach()
        with torch.no_grad():
            a2, logp2 = self.policy(s2)
            x2 = torch.cat([s2, a2], -1)
            y = r + 0.99 * (1 - d) * (torch.min(self.targets[0](x2), self.targets[1](x2)) - alpha * logp2)
        x = torch.cat([s, a], -1)
        critic_loss = sum(F.mse_loss(critic(x), y) for critic in self.critics)
        self.critic_opt.zero_grad()
        critic_loss.backward()
        self.critic_opt.step()
        pi, logp = self.policy(s)
        xp = torch.cat([s, pi], -1)
        actor_loss = (alpha * logp - torch.min(self.critics[0](xp), self.critics[1](xp))).mean()
        self.actor_opt.zero_grad()
        actor_loss.backward()
        self.actor_opt.step()
        alpha_loss = -(self.log_alpha * (logp.detach() - ACT)).mean()
        self.alpha_opt.zero_grad()
        alpha_loss.backward()
        self.alpha_opt.step()
        with torch.no_grad():
            for critic, target in zip(self.critics, self.targets):
                for p, tp in zip(critic.parameters(), target.parameters()):
                    tp.mul_(0.995).add_(p, alpha=0.005)


class Ensemble(torch.nn.Module):
    def __init__(self, gen):
        super().__init__()
        sizes = [OBS + ACT] + [MODEL_HIDDEN] * MODEL_LAYERS + [2 * (OBS + 1)]
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w = torch.randn(MEMBERS, fan_in, fan_out, generator=gen, device=DEVICE).clamp(-2, 2) / (2 * math.sqrt(fan_in))
            self.weights.append(torch.nn.Parameter(w))
            self.biases.append(torch.nn.Parameter(torch.zeros(MEMBERS, 1, fan_out, device=DEVICE)))
        self.max_logvar = torch.nn.Parameter(torch.full((1, OBS + 1), 0.5, device=DEVICE))
        self.min_logvar = torch.nn.Parameter(torch.full((1, OBS + 1), -10.0, device=DEVICE))

    def forward(self, x):
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w)
            if i < last:
                x = x * torch.sigmoid(x)
        mean, logvar = x.chunk(2, dim=-1)
        logvar = self.max_logvar - F.softplus(self.max_logvar - logvar)
        logvar = self.min_logvar + F.softplus(logvar - self.min_logvar)
        return mean, logvar

    def loss(self, x, y):
        mean, logvar = self(x)
        nll = (((mean - y) ** 2) * torch.exp(-logvar)).mean(dim=(1, 2)) + logvar.mean(dim=(1, 2))
        decay = sum(wd * 0.5 * (w ** 2).sum() for wd, w in zip(WEIGHT_DECAYS, self.weights))
        return nll.sum() + decay + 0.01 * self.max_logvar.sum() - 0.01 * self.min_logvar.sum()


def model_step(ensemble, obs, act, gen, chunk):
    """Next observation, reward and max-std-norm penalty for every row."""
    next_obs, rewards, penalties = [], [], []
    with torch.no_grad():
        for start in range(0, obs.shape[0], chunk):
            o, a = obs[start:start + chunk], act[start:start + chunk]
            rows = o.shape[0]
            x = torch.cat([o, a], -1).unsqueeze(0).expand(MEMBERS, rows, OBS + ACT)
            mean, logvar = ensemble(x)
            std = torch.exp(0.5 * logvar)
            penalties.append(std.norm(dim=-1).amax(dim=0))
            pick = torch.randint(ELITES, (rows,), generator=gen, device=DEVICE)
            rows_index = torch.arange(rows, device=DEVICE)
            sample = mean[pick, rows_index] + std[pick, rows_index] * torch.randn(rows, OBS + 1, generator=gen, device=DEVICE)
            next_obs.append(o + sample[:, :OBS])
            rewards.append(sample[:, OBS])
    return torch.cat(next_obs), torch.cat(rewards), torch.cat(penalties)


def per_call_ms(fn, repeats, rounds=5, warmup=10):
    """Mean ms per call in the fastest round (other work on the machine only ever adds
    time), as wall time and as this process's CPU time (all its threads)."""
    for _ in range(warmup):
        fn()
    synchronize()
    best, best_cpu = float('inf'), float('inf')
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(repeats):
            fn()
        synchronize()
        best = min(best, (time.perf_counter() - start) / repeats * 1e3)
        best_cpu = min(best_cpu, (time.process_time() - start_cpu) / repeats * 1e3)
    return best, best_cpu


def synchronize():
    if DEVICE == 'cuda':
        torch.cuda.synchronize()


def main():
    global BATCH, ROLLOUT_ROWS, DEVICE
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--chunks', default=None, help='rollout chunk sizes to try (default: all rows at once, and 5000)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--scale', type=int, default=1, help='batch 256·K and 50 000·K rollout rows')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    BATCH, ROLLOUT_ROWS, DEVICE = BATCH * args.scale, ROLLOUT_ROWS * args.scale, args.device
    torch.set_num_threads(args.threads)
    gen = torch.Generator(device=DEVICE).manual_seed(0)

    sac = Sac(gen)
    for net in [sac.actor, *sac.critics, *sac.targets]:
        net.to(DEVICE)
    sac.log_alpha = torch.zeros(1, requires_grad=True, device=DEVICE)
    sac.actor_opt = torch.optim.Adam(sac.actor.parameters(), lr=3e-4)
    sac.critic_opt = torch.optim.Adam([p for c in sac.critics for p in c.parameters()], lr=3e-4)
    sac.alpha_opt = torch.optim.Adam([sac.log_alpha], lr=3e-4)
    s, s2 = torch.randn(BATCH, OBS, generator=gen, device=DEVICE), torch.randn(BATCH, OBS, generator=gen, device=DEVICE)
    a = torch.rand(BATCH, ACT, generator=gen, device=DEVICE) * 2 - 1
    r, d = torch.randn(BATCH, 1, generator=gen, device=DEVICE), (torch.rand(BATCH, 1, generator=gen, device=DEVICE) < 0.1).float()
    sac_ms, sac_cpu_ms = per_call_ms(lambda: sac.update(s, a, r, s2, d), repeats=40)

    ensemble = Ensemble(gen)
    optimizer = torch.optim.Adam(ensemble.parameters(), lr=1e-3)
    x = torch.randn(MEMBERS, BATCH, OBS + ACT, generator=gen, device=DEVICE)
    y = torch.randn(MEMBERS, BATCH, OBS + 1, generator=gen, device=DEVICE)

    def ensemble_step():
        loss = ensemble.loss(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    ensemble_ms, ensemble_cpu_ms = per_call_ms(ensemble_step, repeats=10, warmup=3)

    obs = torch.randn(ROLLOUT_ROWS, OBS, generator=gen, device=DEVICE)
    act = torch.rand(ROLLOUT_ROWS, ACT, generator=gen, device=DEVICE) * 2 - 1
    by_chunk, cpu_by_chunk = {}, {}
    for chunk in (int(c) for c in (args.chunks or f'{ROLLOUT_ROWS},5000').split(',')):
        rollout_ms, rollout_cpu_ms = per_call_ms(lambda: model_step(ensemble, obs, act, gen, chunk), repeats=1, rounds=3, warmup=1)
        by_chunk[chunk] = round(ROLLOUT_ROWS / (rollout_ms / 1e3))
        cpu_by_chunk[chunk] = round(ROLLOUT_ROWS / (rollout_cpu_ms / 1e3))
    best_chunk = max(by_chunk, key=by_chunk.get)

    result = {
        'torch_version': torch.__version__,
        'threads': args.threads,
        'device': DEVICE,
        'batch': BATCH,
        'rollout_rows': ROLLOUT_ROWS,
        'sac_update_ms': round(sac_ms, 3),
        'ensemble_step_ms': round(ensemble_ms, 3),
        'rollout_transitions_per_s': by_chunk[best_chunk],
        'rollout_best_chunk': best_chunk,
        'rollout_by_chunk': by_chunk,
        'sac_update_cpu_ms': round(sac_cpu_ms, 3),
        'ensemble_step_cpu_ms': round(ensemble_cpu_ms, 3),
        'rollout_cpu_transitions_per_s': max(cpu_by_chunk.values()),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f'{key:28} {value}')


if __name__ == '__main__':
    main()
