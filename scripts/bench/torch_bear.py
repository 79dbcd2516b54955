#!/usr/bin/env python3
"""PyTorch timing of one BEAR update, the same work as the `bear` section of `npm run bench`.

    python3 scripts/bench/torch_bear.py [--threads N] [--json]

HalfCheetah sizes (obs 17, act 6), a batch of 100 and d3rlpy's network sizes: 2x256 ReLU
actor (tanh-Gaussian, log-std clamped to [-20, 2]), two 2x256 critics with targets, and a
conditional VAE behaviour model whose encoder and decoder are 2x256 with a latent of 12.
One update, as mopo's BEAR (src/algos/bear.ts) does it:
  1. VAE step: mse(tanh(dec(s, mu + sigma*eps)), a) + 0.5 * KL
  2. critics: 4 next actions per state, y = r + gamma (1 - d) (best of 0.75 min + 0.25 max - T log pi)
  3. actor: T log pi - min Q + alpha (MMD - 0.05), MMD with the Laplacian kernel (sigma 20)
     between 4 actions of the policy and 4 of the VAE per state
  4. temperature and Lagrange multiplier steps, 5. Polyak targets.
The figure is the fastest of several rounds. CPU only. Needs: apt-get install -y python3-torch libopenblas0-pthread
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

OBS, ACT, BATCH, HIDDEN, LATENT, SAMPLES = 17, 6, 100, 256, 12, 4
GAMMA, TAU, LAM, SIGMA, THRESHOLD, KL_WEIGHT = 0.99, 0.005, 0.75, 20.0, 0.05, 0.5


def mlp(inputs, outputs):
    return torch.nn.Sequential(
        torch.nn.Linear(inputs, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, outputs))


def laplacian_mmd(x, y):
    # x: (batch, n, act), y: (batch, m, act)
    def k(u, v):
        return (-(u.unsqueeze(2) - v.unsqueeze(1)).abs().sum(-1) / (2 * SIGMA)).exp().mean(dim=(1, 2))
    return (k(x, x) - 2 * k(x, y) + k(y, y) + 1e-6).sqrt()


class Bear:
    def __init__(self, gen):
        self.gen = gen
        self.actor = mlp(OBS, 2 * ACT)
        self.critics = [mlp(OBS + ACT, 1) for _ in range(2)]
        self.targets = [mlp(OBS + ACT, 1) for _ in range(2)]
        for target, critic in zip(self.targets, self.critics):
            target.load_state_dict(critic.state_dict())
        self.encoder = mlp(OBS + ACT, 2 * LATENT)
        self.decoder = mlp(OBS + LATENT, ACT)
        self.log_temp = torch.zeros(1, requires_grad=True)
        self.log_alpha = torch.zeros(1, requires_grad=True)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=3e-4)
        self.critic_opt = torch.optim.Adam([p for c in self.critics for p in c.parameters()], lr=3e-4)
        self.vae_opt = torch.optim.Adam(list(self.encoder.parameters()) + list(self.decoder.parameters()), lr=1e-3)
        self.temp_opt = torch.optim.Adam([self.log_temp], lr=3e-4)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=1e-3)

    def randn(self, *shape):
        return torch.randn(shape, generator=self.gen)

    def head(self, obs):
        mean, raw_log_std = self.actor(obs).chunk(2, dim=-1)
        return mean, raw_log_std.clamp(-20, 2)

    def squashed(self, mean, log_std, noise):
        u = mean + log_std.exp() * noise
        log_one_minus_tanh_sq = 2 * (math.log(2) - u - F.softplus(-2 * u))
        log_prob = (-0.5 * noise ** 2 - log_std - 0.5 * math.log(2 * math.pi) - log_one_minus_tanh_sq).sum(-1)
        return torch.tanh(u), log_prob

    def update(self, s, a, r, s2, d):
        temp = self.log_temp.exp().detach()
        alpha = self.log_alpha.exp().detach()
        # 1. behaviour model
        mu, log_std = self.encoder(torch.cat([s, a], -1)).chunk(2, dim=-1)
        log_std = log_std.clamp(-4, 15)
        z = mu + log_std.exp() * self.randn(BATCH, LATENT)
        recon = torch.tanh(self.decoder(torch.cat([s, z], -1)))
        kl = (0.5 * (mu ** 2 + (2 * log_std).exp()) - log_std - 0.5).mean()
        vae_loss = F.mse_loss(recon, a) + KL_WEIGHT * kl
        self.vae_opt.zero_grad()
        vae_loss.backward()
        self.vae_opt.step()
        # 2. critics
        with torch.no_grad():
            s2n = s2.repeat_interleave(SAMPLES, 0)
            mean2, log_std2 = self.head(s2n)
            a2, logp2 = self.squashed(mean2, log_std2, self.randn(BATCH * SAMPLES, ACT))
            x2 = torch.cat([s2n, a2], -1)
            q2 = torch.stack([t(x2).view(BATCH, SAMPLES) for t in self.targets])
            mix = LAM * q2.min(0).values + (1 - LAM) * q2.max(0).values
            best, index = mix.max(1)
            best_logp = logp2.view(BATCH, SAMPLES).gather(1, index.unsqueeze(1)).squeeze(1)
            y = (r + GAMMA * (1 - d) * (best - temp * best_logp)).unsqueeze(1)
        x = torch.cat([s, a], -1)
        critic_loss = sum(F.mse_loss(critic(x), y) for critic in self.critics)
        self.critic_opt.zero_grad()
        critic_loss.backward()
        self.critic_opt.step()
        # 3. actor
        mean, log_std = self.head(s)
        pi, logp = self.squashed(mean, log_std, self.randn(BATCH, ACT))
        xp = torch.cat([s, pi], -1)
        q = torch.min(self.critics[0](xp), self.critics[1](xp)).squeeze(1)
        policy_samples = torch.tanh(mean.unsqueeze(1) + log_std.exp().unsqueeze(1) * self.randn(BATCH, SAMPLES, ACT))
        with torch.no_grad():
            latent = self.randn(BATCH * SAMPLES, LATENT).clamp(-0.5, 0.5)
            behaviour = torch.tanh(self.decoder(torch.cat([s.repeat_interleave(SAMPLES, 0), latent], -1))).view(BATCH, SAMPLES, ACT)
        mmd = laplacian_mmd(policy_samples, behaviour)
        actor_loss = (temp * logp - q).mean() + alpha * (mmd.mean() - THRESHOLD)
        self.actor_opt.zero_grad()
        actor_loss.backward()
        self.actor_opt.step()
        # 4. temperature, 5. Lagrange multiplier
        temp_loss = -(self.log_temp.exp() * (logp.detach() - ACT)).mean()
        self.temp_opt.zero_grad()
        temp_loss.backward()
        self.temp_opt.step()
        alpha_loss = -self.log_alpha.exp() * (mmd.detach().mean() - THRESHOLD)
        self.alpha_opt.zero_grad()
        alpha_loss.sum().backward()
        self.alpha_opt.step()
        with torch.no_grad():
            self.log_alpha.clamp_(-5, 10)
            for critic, target in zip(self.critics, self.targets):
                for p, tp in zip(critic.parameters(), target.parameters()):
                    tp.mul_(1 - TAU).add_(p, alpha=TAU)


def best_ms(fn, warmup, repeats, rounds):
    for _ in range(warmup):
        fn()
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats * 1000)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(2024)
    bear = Bear(gen)
    s = torch.randn((BATCH, OBS), generator=gen)
    a = torch.rand((BATCH, ACT), generator=gen) * 2 - 1
    r = torch.randn((BATCH,), generator=gen)
    s2 = torch.randn((BATCH, OBS), generator=gen)
    d = (torch.rand((BATCH,), generator=gen) < 0.1).float()
    ms = best_ms(lambda: bear.update(s, a, r, s2, d), warmup=20, repeats=30, rounds=5)
    result = {'torch_version': torch.__version__, 'threads': args.threads, 'bear_update_ms': round(ms, 3)}
    print(json.dumps(result) if args.json else f"BEAR update (batch {BATCH}): {ms:.2f} ms with {args.threads} thread(s), torch {torch.__version__}")


if __name__ == '__main__':
    main()
