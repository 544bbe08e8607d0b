// Progress and summaries for long CLI work, on stderr so stdout stays clean for data.
// A bar that redraws on a terminal; a line every few seconds when output goes to a log.

export interface Progress {
  update(stage: string, done: number, total: number): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let lastStage = '';
  let drawn = false;
  return {
    update(stage, done, total) {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      if (tty) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        stream.write(`\r${stage.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`);
        drawn = true;
        if (done >= total) {
          stream.write('\n');
          drawn = false;
        }
        return;
      }
      const now = Date.now();
      if (stage !== lastStage || done >= total || now - lastLine > 2000) {
        stream.write(`${stage}: ${done}/${total} (${pct}%)\n`);
        lastLine = now;
        lastStage = stage;
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
