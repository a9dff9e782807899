import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Real multicast, but only inside a private network namespace (DEVELOPERS.md: network rule):
// `netns-run` gives the probe a world with nothing but loopback, and the probe itself refuses to
// run anywhere else. The shared tools sit beside the repository: /work/shared here, <clone>/../shared in CI.
const here = dirname(fileURLToPath(import.meta.url));
const NETNS_RUN = resolve(here, '..', '..', '..', '..', 'shared', 'tools', 'netns-run');
const PROBE = join(here, 'mdns-namespace-probe.mjs');
const BUILT_PLUGIN = join(here, '..', 'dist', 'plugins', 'app', 'mdns.js');
const MARKER = 'ICLOOD-MDNS-PROBE ';
const NAMESPACE_UNAVAILABLE = 77;

interface ProbeResult {
  fakeLan: boolean;
  expected: {
    instance: string;
    host: string;
    httpPort: number;
    tlsPort: number;
    serverId: string;
    shortFingerprint: string;
    lanIPv4: string[];
  };
  heard: {
    instances: string[];
    srv: { port: number; target: string };
    txt: Record<string, string>;
    a: string[];
    http: { instance: string; srv: { port: number; target: string }; txt: Record<string, string> };
  };
  stateWhileUp: { enabled: boolean; advertising: boolean; host: string; services: string[] };
  goodbye: boolean;
  stateAfterClose: { advertising: boolean; services: string[] };
}

function runProbe(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(NETNS_RUN, [process.execPath, PROBE], {
      cwd: join(here, '..'),
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe('mDNS discovery, heard by an independent querier inside a private network namespace', () => {
  const toolsMissing = !existsSync(NETNS_RUN);
  if (toolsMissing)
    console.warn(
      `mDNS namespace test skipped: ${NETNS_RUN} is missing (the shared tools dir sits beside the repo)`,
    );

  it.skipIf(toolsMissing)(
    'advertises _iclood._tcp with the HTTP port, the TXT fields and the A record, and says goodbye on close',
    async (context) => {
      expect(existsSync(BUILT_PLUGIN), 'run the build first: the probe starts the built server').toBe(true);
      const { code, stdout, stderr } = await runProbe();
      if (code === NAMESPACE_UNAVAILABLE) {
        console.warn(
          `mDNS namespace test skipped: netns-run cannot make a namespace here (${stderr.trim()})`,
        );
        context.skip();
        return;
      }
      expect(code, `probe failed:\n${stderr}`).toBe(0);
      const line = stdout.split('\n').find((entry) => entry.startsWith(MARKER));
      expect(line, `no result from the probe:\n${stdout}\n${stderr}`).toBeDefined();
      const { fakeLan, expected, heard, stateWhileUp, goodbye, stateAfterClose } = JSON.parse(
        line!.slice(MARKER.length),
      ) as ProbeResult;

      expect(heard.instances).toEqual([expected.instance]);
      expect(heard.srv).toMatchObject({ port: expected.httpPort, target: expected.host });
      expect(heard.txt).toEqual({
        txtvers: '1',
        id: expected.serverId,
        api: '/api/v1',
        tls: String(expected.tlsPort),
        fp: expected.shortFingerprint,
      });
      expect(expected.shortFingerprint).toMatch(/^[A-Za-z0-9_-]{16}$/);
      // The A records are the server's LAN addresses (a veth inside the namespace plays the LAN).
      expect(heard.a).toEqual(expected.lanIPv4);
      if (fakeLan) expect(heard.a).toEqual(['10.77.0.1']);
      else console.warn('mDNS namespace test: no veth support here, so no A record could be checked');

      expect(heard.http.instance).toBe(expected.instance.replace('._iclood._tcp.', '._http._tcp.'));
      expect(heard.http.srv).toMatchObject({ port: expected.httpPort, target: expected.host });
      expect(heard.http.txt).toEqual({ path: '/' });

      expect(stateWhileUp).toMatchObject({ enabled: true, advertising: true, host: expected.host });
      expect([...stateWhileUp.services].sort()).toEqual(['_http._tcp', '_iclood._tcp']);
      expect(goodbye).toBe(true);
      expect(stateAfterClose).toMatchObject({ advertising: false, services: [] });
    },
    120_000,
  );
});
