// Runs ONLY inside `netns-run` (a private network namespace with nothing but loopback), started by
// mdns-namespace.test.ts. It starts the built server with mDNS and HTTPS on, asks for
// `_iclood._tcp.local` with multicast-dns used directly as an independent querier, and prints
// what it heard as one JSON line after the marker. It refuses to run anywhere with a real network.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import makeMdns from 'multicast-dns';

const MARKER = 'ICLOOD-MDNS-PROBE ';
const MDNS_HOST = 'iclood-netns.local';
const TLS_PORT = 8443;
const FAKE_LAN = { name: 'icl0', peer: 'icl1', address: '10.77.0.1' };

function refuseOutsideNamespace() {
  const names = Object.keys(networkInterfaces());
  if (names.some((name) => name !== 'lo')) {
    process.stderr.write(
      `refusing to advertise: interfaces ${names.join(', ')} mean this is not a private namespace\n`,
    );
    process.exit(3);
  }
}

// bonjour-service answers A records with the host's non-loopback addresses, and a namespace has
// none: a veth pair (both ends inside the namespace) plays the Pi's LAN interface.
function addFakeLanInterface() {
  try {
    execFileSync('ip', ['link', 'add', FAKE_LAN.name, 'type', 'veth', 'peer', 'name', FAKE_LAN.peer], {
      stdio: 'pipe',
    });
    execFileSync('ip', ['addr', 'add', `${FAKE_LAN.address}/24`, 'dev', FAKE_LAN.name], { stdio: 'pipe' });
    execFileSync('ip', ['link', 'set', FAKE_LAN.name, 'up'], { stdio: 'pipe' });
    execFileSync('ip', ['link', 'set', FAKE_LAN.peer, 'up'], { stdio: 'pipe' });
    return true;
  } catch (error) {
    process.stderr.write(
      `no veth in this namespace (${error.message.split('\n')[0]}); A records will be empty\n`,
    );
    return false;
  }
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function decodeTxt(data) {
  const entries = {};
  for (const chunk of Array.isArray(data) ? data : [data]) {
    const text = Buffer.from(chunk).toString('utf8');
    const equals = text.indexOf('=');
    if (equals > 0) entries[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return entries;
}

async function main() {
  refuseOutsideNamespace();
  const fakeLan = addFakeLanInterface();

  const { buildApp } = await import('../dist/app.js');
  const { loadConfig } = await import('../dist/config.js');
  const { listLanAddresses, lanDisplayName } = await import('../dist/services/network/lan-addresses.js');
  const { default: tlsPlugin } = await import('../dist/plugins/app/tls.js');
  const { default: mdnsPlugin } = await import('../dist/plugins/app/mdns.js');

  const dataDir = await mkdtemp(join(tmpdir(), 'iclood-netns-'));
  const records = [];
  const goodbyes = [];
  const querier = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0' });
  querier.on('response', (packet) => {
    for (const record of [...packet.answers, ...packet.additionals]) {
      if (record.ttl === 0) goodbyes.push(record);
      else records.push(record);
    }
  });
  const find = (type, name) =>
    records.filter((r) => r.type === type && (!name || r.name.toLowerCase() === name.toLowerCase()));

  try {
    const config = loadConfig(
      {
        ICLOOD_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        ICLOOD_MDNS: 'true',
        ICLOOD_MDNS_HOST: MDNS_HOST,
        ICLOOD_TLS_PORT: String(TLS_PORT),
        LOG_LEVEL: 'warn',
      },
      dataDir,
    );
    const mdnsOptions = { interface: '127.0.0.1' };
    const app = await buildApp(config, { logStream: { write: () => {} }, mdns: mdnsOptions });
    // Until app.ts registers them itself.
    if (!app.hasDecorator('tls')) await app.register(tlsPlugin);
    if (!app.hasDecorator('mdns')) await app.register(mdnsPlugin, mdnsOptions);

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const tlsPort = await app.httpsListener.listen();
    const httpPort = Number(new URL(url).port);

    // Ask again every half second until the answer is heard (the first query may race the probe).
    const lookup = async (type, name, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        querier.query([{ name, type }]);
        for (let waited = 0; waited < 500; waited += 50) {
          const found = find(type, name);
          if (found.length > 0) return found;
          await sleep(50);
        }
      }
      throw new Error(`no ${type} answer for ${name}`);
    };
    const instances = await lookup('PTR', '_iclood._tcp.local', 15_000);
    const instance = instances[0].data;
    const [srv] = await lookup('SRV', instance);
    const [txt] = await lookup('TXT', instance);
    const target = srv.data.target;
    if (fakeLan) await lookup('A', target);
    const [httpInstance] = await lookup('PTR', '_http._tcp.local');
    const [httpSrv] = await lookup('SRV', httpInstance.data);
    const [httpTxt] = await lookup('TXT', httpInstance.data);
    await until(() => app.mdns.advertising, 5_000, 'app.mdns.advertising');
    const stateWhileUp = JSON.parse(JSON.stringify(app.mdns));

    const result = {
      fakeLan,
      expected: {
        instance: `${lanDisplayName().split('.').join('-')}._iclood._tcp.local`,
        host: MDNS_HOST,
        httpPort,
        tlsPort,
        serverId: app.identity.serverId,
        shortFingerprint: app.tls.shortFingerprint,
        lanIPv4: listLanAddresses()
          .filter((entry) => entry.family === 'IPv4')
          .map((entry) => entry.address),
      },
      heard: {
        instances: instances.map((record) => record.data),
        srv: srv.data,
        txt: decodeTxt(txt.data),
        a: [...new Set(find('A', target).map((record) => record.data))].sort(),
        http: { instance: httpInstance.data, srv: httpSrv.data, txt: decodeTxt(httpTxt.data) },
      },
      stateWhileUp,
    };

    await app.close();
    await sleep(300);
    result.goodbye = goodbyes.some((record) => record.type === 'PTR' && record.name === '_iclood._tcp.local');
    result.stateAfterClose = JSON.parse(JSON.stringify(app.mdns));
    process.stdout.write(`\n${MARKER}${JSON.stringify(result)}\n`);
  } finally {
    querier.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
