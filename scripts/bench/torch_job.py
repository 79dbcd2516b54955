#!/usr/bin/env python3
"""The whole-job twin of mopo's `job` bench section: a small MOPO run in PyTorch on CPU,
structured as OfflineRL-Kit runs MOPO, with halfcheetah-medium's hyperparameters.

    python3 scripts/bench/torch_job.py --data FILE.hdf5 [--threads N] [--dynamics-epochs 5]
        [--sac-steps 5000] [--rollout-batch 10000] [--rollout-freq 1000] [--h 5] [--json]

  1. the D4RL file read with h5py into a numpy replay buffer (qlearning-style arrays);
  2. the dynamics ensemble (7 members x 4x200 swish, ensemble linear layers, learned
     log-variance bounds, weight decay per layer) trained for a fixed number of epochs
     with a standard scaler, a holdout of min(20 %, 1000) rows, a bootstrap index set
     per member and a new shuffle every epoch, the holdout MSE after each epoch, the
     5 best members kept as elites;
  3. SAC (2x256 actor and twin critics, learned alpha) for the given steps; every
     rollout-freq steps a rollout of rollout-batch start states for h steps (random
     elite per row, max-std-norm penalty, lambda 0.5) into a model buffer; each
     batch of 256 is 5 % real and 95 % model rows;
  4. the policy and dynamics saved with torch.save.
Prints seconds in total and per phase, and the process's CPU seconds. Needs: apt-get install -y python3-torch python3-h5py libopenblas0-pthread
"""
import argparse
import io
import json
import math
import resource
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F

MEMBERS, ELITES, MODEL_HIDDEN, MODEL_LAYERS = 7, 5, 200, 4
WEIGHT_DECAYS = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]
HIDDEN, BATCH, GAMMA, TAU = 256, 256, 0.99, 0.005
PENALTY_COEF, REAL_RATIO, RETAIN_EPOCHS = 0.5, 0.05, 5


class Buffer:
    def __init__(self, capacity, obs_dim, act_dim):
        self.capacity, self.size, self.ptr = capacity, 0, 0
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.act = np.zeros((capacity, act_dim), np.float32)
        self.rew = np.zeros((capacity, 1), np.float32)
        self.done = np.zeros((capacity, 1), np.float32)

    def add_batch(self, obs, next_obs, act, rew, done):
        n = len(obs)
        idx = (self.ptr + np.arange(n)) % self.capacity
        self.obs[idx], self.next_obs[idx], self.act[idx], self.rew[idx], self.done[idx] = obs, next_obs, act, rew, done
        self.ptr = (self.ptr + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    def sample(self, n):
        idx = np.random.randint(0, self.size, size=n)
        return [torch.as_tensor(a[idx]) for a in (self.obs, self.act, self.next_obs, self.rew, self.done)]


class EnsembleLinear(torch.nn.Module):
    def __init__(self, fan_in, fan_out, decay):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(MEMBERS, fan_in, fan_out))
        self.bias = torch.nn.Parameter(torch.zeros(MEMBERS, 1, fan_out))
        torch.nn.init.trunc_normal_(self.weight, std=1 / (2 * math.sqrt(fan_in)))
        self.decay = decay

    def forward(self, x):
        return torch.einsum('eij,ejk->eik', x, self.weight) + self.bias if x.dim() == 3 else torch.einsum('ij,ejk->eik', x, self.weight) + self.bias


class EnsembleModel(torch.nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        sizes = [in_dim] + [MODEL_HIDDEN] * MODEL_LAYERS + [2 * out_dim]
        self.layers = torch.nn.ModuleList(EnsembleLinear(a, b, d) for a, b, d in zip(sizes[:-1], sizes[1:], WEIGHT_DECAYS))
        self.max_logvar = torch.nn.Parameter(torch.full((out_dim,), 0.5))
        self.min_logvar = torch.nn.Parameter(torch.full((out_dim,), -10.0))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = x * torch.sigmoid(x)
        mean, logvar = x.chunk(2, dim=-1)
        logvar = self.max_logvar - F.softplus(self.max_logvar - logvar)
        logvar = self.min_logvar + F.softplus(logvar - self.min_logvar)
        return mean, logvar

    def decay_loss(self):
        return sum(layer.decay * 0.5 * (layer.weight ** 2).sum() for layer in self.layers)


class Dynamics:
    def __init__(self, obs_dim, act_dim):
        self.model = EnsembleModel(obs_dim + act_dim, obs_dim + 1)
        self.optim = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.mu, self.sigma = None, None
        self.elites = list(range(ELITES))

    def scale(self, x):
        return (x - self.mu) / self.sigma

    def train(self, data, epochs):
        inputs = np.concatenate([data['observations'], data['actions']], 1)
        targets = np.concatenate([data['next_observations'] - data['observations'], data['rewards'][:, None]], 1)
        n = len(inputs)
        holdout = min(int(n * 0.2), 1000)
        perm = np.random.permutation(n)
        train_x, train_y, hold_x, hold_y = inputs[perm[holdout:]], targets[perm[holdout:]], inputs[perm[:holdout]], targets[perm[:holdout]]
        self.mu, self.sigma = train_x.mean(0, keepdims=True), train_x.std(0, keepdims=True)
        self.sigma[self.sigma < 1e-12] = 1.0
        train_x, hold_x = self.scale(train_x), self.scale(hold_x)
        size = len(train_x)
        idx = np.random.randint(size, size=(MEMBERS, size))
        hold_xt, hold_yt = torch.as_tensor(hold_x, dtype=torch.float32), torch.as_tensor(hold_y, dtype=torch.float32)
        losses = None
        self.epoch_ends = []
        for _ in range(epochs):
            idx = np.stack([np.random.permutation(row) for row in idx])
            for start in range(0, size, BATCH):
                b = idx[:, start:start + BATCH]
                x, y = torch.as_tensor(train_x[b], dtype=torch.float32), torch.as_tensor(train_y[b], dtype=torch.float32)
                mean, logvar = self.model(x)
                inv_var = torch.exp(-logvar)
                loss = (((mean - y) ** 2) * inv_var).mean(dim=(1, 2)).sum() + logvar.mean(dim=(1, 2)).sum()
                loss = loss + self.model.decay_loss() + 0.01 * self.model.max_logvar.sum() - 0.01 * self.model.min_logvar.sum()
                self.optim.zero_grad()
                loss.backward()
                self.optim.step()
            with torch.no_grad():
                mean, _ = self.model(hold_xt)
                losses = ((mean - hold_yt) ** 2).mean(dim=(1, 2)).numpy()
            self.epoch_ends.append(time.perf_counter())
        self.elites = list(np.argsort(losses)[:ELITES])

    @torch.no_grad()
    def step(self, obs, act):
        x = torch.as_tensor(self.scale(np.concatenate([obs, act], 1)), dtype=torch.float32)
        mean, logvar = self.model(x)
        mean, logvar = mean.numpy(), logvar.numpy()
        mean[..., :-1] += obs
        std = np.sqrt(np.exp(logvar))
        samples = (mean + np.random.normal(size=mean.shape) * std).astype(np.float32)
        pick = np.random.choice(self.elites, size=len(obs))
        chosen = samples[pick, np.arange(len(obs))]
        next_obs, reward = chosen[:, :-1], chosen[:, -1:]
        penalty = np.amax(np.linalg.norm(std, axis=2), axis=0)[:, None]
        return next_obs, reward - PENALTY_COEF * penalty, np.zeros((len(obs), 1), np.float32)


def mlp(inputs, outputs):
    return torch.nn.Sequential(torch.nn.Linear(inputs, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, outputs))


class Sac:
    def __init__(self, obs_dim, act_dim):
        self.actor = mlp(obs_dim, 2 * act_dim)
        self.critics = [mlp(obs_dim + act_dim, 1) for _ in range(2)]
        self.targets = [mlp(obs_dim + act_dim, 1) for _ in range(2)]
        for target, critic in zip(self.targets, self.critics):
            target.load_state_dict(critic.state_dict())
        self.log_alpha = torch.zeros(1, requires_grad=True)
        self.target_entropy = -act_dim
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=1e-4)
        self.critic_opt = torch.optim.Adam([p for c in self.critics for p in c.parameters()], lr=3e-4)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=1e-4)

    def policy(self, obs):
        mean, raw_log_std = self.actor(obs).chunk(2, dim=-1)
        log_std = raw_log_std.clamp(-5, 2)
        noise = torch.randn_like(mean)
        u = mean + log_std.exp() * noise
        log_prob = (-0.5 * noise ** 2 - log_std - 0.5 * math.log(2 * math.pi) - 2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1, keepdim=True)
        return torch.tanh(u), log_prob

    @torch.no_grad()
    def act(self, obs):
        return self.policy(torch.as_tensor(obs))[0].numpy()

    def learn(self, s, a, s2, r, d):
        alpha = self.log_alpha.exp().clamp(max=1.0).detach()
        with torch.no_grad():
            a2, logp2 = self.policy(s2)
            x2 = torch.cat([s2, a2], -1)
            y = r + GAMMA * (1 - d) * (torch.min(self.targets[0](x2), self.targets[1](x2)) - alpha * logp2)
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
        alpha_loss = -(self.log_alpha * (logp.detach() + self.target_entropy)).mean()
        self.alpha_opt.zero_grad()
        alpha_loss.backward()
        self.alpha_opt.step()
        with torch.no_grad():
            for critic, target in zip(self.critics, self.targets):
                for p, tp in zip(critic.parameters(), target.parameters()):
                    tp.mul_(1 - TAU).add_(p, alpha=TAU)


def rollout(sac, dynamics, start, h):
    obs, rows = start, []
    for _ in range(h):
        act = sac.act(obs)
        next_obs, reward, done = dynamics.step(obs, act)
        rows.append((obs, next_obs, act, reward, done))
        keep = ~done.flatten().astype(bool)
        if not keep.any():
            break
        obs = next_obs[keep]
    return [np.concatenate(column) for column in zip(*rows)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', required=True)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--dynamics-epochs', type=int, default=5)
    parser.add_argument('--sac-steps', type=int, default=5000)
    parser.add_argument('--rollout-batch', type=int, default=10000)
    parser.add_argument('--rollout-freq', type=int, default=1000)
    parser.add_argument('--h', type=int, default=5)
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    np.random.seed(0)
    started = time.perf_counter()
    with h5py.File(args.data, 'r') as f:
        data = {key: f[key][()].astype(np.float32) for key in ('observations', 'actions', 'next_observations', 'rewards', 'terminals')}
    obs_dim, act_dim = data['observations'].shape[1], data['actions'].shape[1]
    real = Buffer(len(data['observations']), obs_dim, act_dim)
    real.add_batch(data['observations'], data['next_observations'], data['actions'], data['rewards'][:, None], data['terminals'][:, None])
    loaded = time.perf_counter()
    dynamics = Dynamics(obs_dim, act_dim)
    dynamics.train(data, args.dynamics_epochs)
    fitted = time.perf_counter()
    sac = Sac(obs_dim, act_dim)
    fake = Buffer(args.rollout_batch * args.h * RETAIN_EPOCHS, obs_dim, act_dim)
    real_rows = int(BATCH * REAL_RATIO)
    rollout_s, rollouts = 0.0, 0
    for step in range(args.sac_steps):
        if step % args.rollout_freq == 0:
            rollout_started = time.perf_counter()
            start = real.obs[np.random.randint(0, real.size, size=args.rollout_batch)]
            fake.add_batch(*rollout(sac, dynamics, start, args.h))
            rollout_s += time.perf_counter() - rollout_started
            rollouts += 1
        batch = [torch.cat(pair) for pair in zip(real.sample(real_rows), fake.sample(BATCH - real_rows))]
        sac.learn(*batch)
    trained = time.perf_counter()
    torch.save({'actor': sac.actor.state_dict(), 'critics': [c.state_dict() for c in sac.critics], 'dynamics': dynamics.model.state_dict()}, io.BytesIO())
    done = time.perf_counter()
    ends = dynamics.epoch_ends
    result = {
        'torch_version': torch.__version__,
        'threads': args.threads,
        'total_s': round(done - started, 3),
        'load_s': round(loaded - started, 3),
        'dynamics_s': round(fitted - started, 3),
        'policy_s': round(done - fitted, 3),
        'sac_s': round(trained - fitted, 3),
        # Where the time goes: one dynamics epoch (the mean after the first, which also
        # standardises and splits the data), the rollouts, and the SAC steps around them.
        'dynamics_epoch_s': round((ends[-1] - ends[0]) / (len(ends) - 1), 3) if len(ends) > 1 else None,
        'rollout_s': round(rollout_s, 3),
        'rollouts': rollouts,
        'sac_updates_s': round(trained - fitted - rollout_s, 3),
        # CPU seconds of the whole process (all threads, Python's start-up and imports included).
        'cpu_s': round(resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime, 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f'{key:16} {value}')


if __name__ == '__main__':
    main()
