// The scheduling side of the big-cluster bench. On this 2-core machine the control plane (API server, etcd, kwok,
// controller manager, scheduler) and the churn that changes its pods share the cores with the extension host; on a
// user's machine they are other machines. A getChildren call that needs 5 ms of CPU can then wait 50 ms for a core,
// and its wall time measures the machine, not the tree. These helpers (Linux only: /proc) tell the two apart: the
// main thread's own on-CPU and run-queue times around a call, and a way to lower the priority of the processes that
// stand in for remote machines for one round of the measurement (and restore it).
// Linux with autogroups (sched_autogroup_enabled) first shares the cores between sessions and applies a thread's
// nice value only inside its session: lowering the control plane's threads does nothing against code-server's
// session, where the extension host runs. So each session that holds only stand-in processes gets its group's nice
// lowered too (/proc/<pid>/autogroup); a session shared with anything else (the bench runner, the browser) is left
// alone and reported, since lowering it would lower them as well.
import * as fs from 'node:fs';
import * as os from 'node:os';

/** The main thread's time on a CPU and waiting in a run queue so far (ms), from /proc's schedstat. */
export interface ThreadTimes {
  onCpuMs: number;
  waitingMs: number;
}

const schedstatPath = `/proc/self/task/${process.pid}/schedstat`;

/** The calling process's main thread times, or undefined where /proc has no schedstat. */
export function mainThreadTimes(): ThreadTimes | undefined {
  try {
    const [onCpu, waiting] = fs.readFileSync(schedstatPath, 'utf8').split(' ');
    return { onCpuMs: Number(onCpu) / 1e6, waitingMs: Number(waiting) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Processes whose executable is named `kwb-cluster` (the local control plane's supervisor and its components,
 * which run the same binary) or `metrics-server`, with every descendant of them. */
export function controlPlaneProcesses(): number[] {
  const parents = new Map<number, number>();
  const roots: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      parents.set(pid, parentOf(pid));
      const exe = fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
      if (/\/(kwb-cluster|metrics-server)$/.test(exe)) roots.push(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return descendantsOf(roots, parents);
}

/** "pid (comm) state ppid …" in /proc/<pid>/stat: comm may hold spaces and parentheses, so read after the last ')'. */
function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

function descendantsOf(roots: number[], parents: Map<number, number>): number[] {
  const found = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** Sets the nice value of every thread of these processes (Linux keeps it per thread; threads started later
 * inherit their creator's). Returns how many threads were changed. Lowering it again needs root. */
function renice(pids: readonly number[], nice: number): number {
  let threads = 0;
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        os.setPriority(Number(tid), nice);
        threads++;
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return threads;
}

/** The autogroup (session scheduling group) of a process, e.g. "/autogroup-1607", or undefined without autogroups. */
function autogroupOf(pid: number): string | undefined {
  try {
    return /^(\/autogroup-\d+)/.exec(fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function autogroupsEnabled(): boolean {
  try {
    return fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** What lowering the stand-ins' priority did. */
export interface Lowered {
  threads: number;
  /** Autogroups given the nice value (each held only stand-in processes). */
  groups: number;
  /** Autogroups left alone because other processes share them (their pids' command names). */
  sharedGroups: string[];
  /** Undo: every thread and group back to nice 0. */
  restore(): void;
}

/** Lowers these processes to `nice`: every thread, and each autogroup that holds only them (see above). */
export function lowerPriority(pids: readonly number[], nice: number): Lowered {
  const mine = new Set(pids);
  const groups = new Map<string, number>();
  if (autogroupsEnabled())
    for (const pid of pids) {
      const g = autogroupOf(pid);
      if (g && !groups.has(g)) groups.set(g, pid);
    }
  const others = new Map<string, string[]>();
  if (groups.size > 0) {
    // The launchers of the stand-ins (`node scripts/cluster.mjs`, setsid) wait in the same session: not others.
    const launchers = new Set<number>();
    for (const pid of pids) for (let p = parentOf(pid); p > 1 && !launchers.has(p); p = parentOf(p)) launchers.add(p);
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || mine.has(Number(entry)) || launchers.has(Number(entry))) continue;
      const g = autogroupOf(Number(entry));
      if (!g || !groups.has(g)) continue;
      let comm = entry;
      try {
        comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      } catch {
        // gone meanwhile
      }
      others.set(g, [...(others.get(g) ?? []), comm]);
    }
  }
  const lowered: number[] = [];
  for (const [g, pid] of groups) {
    if (others.has(g)) continue;
    try {
      fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
      lowered.push(pid);
    } catch {
      // not permitted: counted as not lowered
    }
  }
  const threads = renice(pids, nice);
  return {
    threads,
    groups: lowered.length,
    sharedGroups: [...others].map(([g, comms]) => `${g} (${[...new Set(comms)].slice(0, 5).join(', ')})`),
    restore() {
      renice(pids, 0);
      for (const pid of lowered) {
        try {
          fs.writeFileSync(`/proc/${pid}/autogroup`, '0');
        } catch {
          // the session ended meanwhile
        }
      }
    },
  };
}
