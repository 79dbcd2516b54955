/**
 * The terminal progress bar for a download. cli-progress loads only when a bar is
 * actually shown, so that importing the data module stays cheap.
 */
export interface DownloadProgressBar {
  update(receivedBytes: number): void;
  stop(): void;
}

const MEGABYTE = 1024 * 1024;

export async function startDownloadProgressBar(
  label: string,
  totalBytes: number,
  startBytes: number,
): Promise<DownloadProgressBar> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {received}/{size} MB | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: null,
    fps: 5,
    etaBuffer: 50,
  });
  const size = (totalBytes / MEGABYTE).toFixed(1);
  bar.start(totalBytes, startBytes, { received: (startBytes / MEGABYTE).toFixed(1), size });
  return {
    update(receivedBytes) {
      bar.update(receivedBytes, { received: (receivedBytes / MEGABYTE).toFixed(1), size });
    },
    stop() {
      bar.stop();
    },
  };
}
