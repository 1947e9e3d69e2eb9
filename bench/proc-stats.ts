import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux the bench targets (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name: [0] the state, [1] the parent's pid, [11] and [12] utime and stime, [13] and [14] those of its reaped children. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis don't.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The ms in two adjacent tick counts of stat's fields: user and system time from `first` on. */
const userAndSystemMs = (fields: string[], first: number) => ((Number(fields[first]) + Number(fields[first + 1])) * 1000) / TICKS_PER_SECOND;
const cpuOf = (fields: string[]) => userAndSystemMs(fields, 11);

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  return cpuOf(statFields(pid));
}

/** The pid of a process's parent. */
export function parentPid(pid: number): number {
  return Number(statFields(pid)[1]);
}

/** A process's command line as `ps` shows it (PostgreSQL sets it to say the connection's user and database). */
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
}

/**
 * CPU ms used so far by a process and all its children, those that have exited included (a
 * PostgreSQL server: the postmaster, a process per connection, its background workers): the
 * kernel adds a child's CPU to its parent's `cutime` and `cstime` when the parent reaps it. The
 * root is read first, so no child counts twice; one reaped during the reading is missing from it.
 */
export function processTreeCpuMs(root: number): number {
  const fields = statFields(root);
  let total = cpuOf(fields) + userAndSystemMs(fields, 13);
  for (const child of childrenOf(root)) {
    try {
      total += cpuMs(child);
    } catch {
      // It exited since the listing.
    }
  }
  return total;
}

/** The pids of a single-threaded process's living children, from the kernel's list where it keeps one, else from all of /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .filter((candidate) => {
        try {
          return parentPid(candidate) === pid;
        } catch {
          return false;
        }
      });
  }
}

/** Peak resident memory (VmHWM) in MB. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so the peak after a scenario
 * is that scenario's own; returns false where that is not allowed, and the peak is since start.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
