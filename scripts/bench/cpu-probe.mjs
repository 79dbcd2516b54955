// Preloaded with `node --import` by the startup bench: at exit, reports the CPU time
// (user + system) this whole process used, Node's own start-up included.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nMOPO_CPU_MS=${((user + system) / 1000).toFixed(1)}\n`);
});
