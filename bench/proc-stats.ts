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
 * kernel adds a child's CPU to its parent's `cutime` and `cstime` when the parent reaps it. A child
 * reaped while the others are read would count twice or not at all (seen: a connection just
 * closed, its CPU missing), and the kernel's list of children skips one when another leaves it
 * meanwhile; so the reading is taken again until the reaped children's total and the list of
 * living ones are the same after it as before.
 */
export function processTreeCpuMs(root: number): number {
  // A reading takes about 0.1 ms: 20 outlast a server whose connections come and go all the time
  // (the test suite's), while the bench reads it only at a run's start and end.
  const MOST_READINGS = 20;
  for (let reading = 1; ; reading++) {
    const before = statFields(root);
    const children = childrenOf(root);
    const living = children.reduce((sum, child) => sum + cpuOrZero(child), 0);
    const after = statFields(root);
    const reaped = userAndSystemMs(after, 13);
    const unchanged = reaped === userAndSystemMs(before, 13) && childrenOf(root).join() === children.join();
    // A server whose children come and go without pause gets the last reading: off by those that went during it.
    if (unchanged || reading === MOST_READINGS) return cpuOf(after) + reaped + living;
  }
}

/** A child's CPU; 0 once it is gone (its CPU then shows in its parent's reaped total). */
function cpuOrZero(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
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

/** Resident memory now (VmRSS) in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
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
