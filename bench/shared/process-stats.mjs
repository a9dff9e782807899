// What a bench reads about a process it started, from Linux's /proc.
import { readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';

/** The resident set size of `pid`, in bytes. */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

/** Runs `work` while sampling the RSS of `pid` every 20 ms; returns its result and the peak. */
export async function withPeakRss(pid, work) {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssOf(pid)) };
  } finally {
    clearInterval(timer);
  }
}
