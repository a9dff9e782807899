// Validates docker/compose.yaml against the Compose Specification's JSON schema
// (docker/compose-spec.schema.json, where it came from is in its $comment), the way `docker compose`
// reads it: variables substituted from docker/.env.example, as a user fills it in. Exits non-zero
// on any failure. Run by docker/verify.sh; on its own: `node docker/check-compose.mjs`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const composeText = readFileSync(here('compose.yaml'), 'utf8');
const envExample = readFileSync(here('.env.example'), 'utf8');
const schema = JSON.parse(readFileSync(here('compose-spec.schema.json'), 'utf8'));

/** `KEY=value` lines of an env file; with `examples`, also the commented-out `# KEY=value` ones. */
function readEnvFile(text, { examples = false } = {}) {
  const pattern = examples ? /^\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)$/ : /^\s*([A-Z][A-Z0-9_]*)=(.*)$/;
  const env = {};
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match) env[match[1]] = match[2].trim();
  }
  return env;
}

/**
 * Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
 * ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}. With `:`, an empty value counts as unset.
 */
function interpolate(text, env) {
  return text.replace(
    /\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\})/g,
    (_match, dollar, bare, name, colon, operator, argument) => {
      if (dollar) return '$';
      const key = bare ?? name;
      const value = env[key];
      const set = colon ? value !== undefined && value !== '' : value !== undefined;
      if (operator === '-') return set ? value : argument;
      if (operator === '+') return set ? argument : '';
      if (operator === '?' && !set) throw new Error(`${key}: ${argument}`);
      return value ?? '';
    },
  );
}

/** Every string in a parsed document, interpolated (Compose substitutes values, not keys). */
function interpolateValues(node, env) {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateValues(item, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolateValues(value, env)]),
    );
  }
  return node;
}

// The schema types some values as either ("number", "string"): Compose accepts both.
const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
// compose-go's formats: a Go duration ("10s", "1m30s"), a port or port range with an optional
// host address and protocol, and an IP subnet in CIDR notation.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
const portRange = String.raw`\d+(-\d+)?`;
ajv.addFormat('expose', new RegExp(`^${portRange}(/(tcp|udp|sctp))?$`));
ajv.addFormat(
  'ports',
  new RegExp(String.raw`^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?(${portRange}:)?${portRange}(/(tcp|udp|sctp))?$`),
);
ajv.addFormat('subnet_ip_address', /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
// The file names draft 2019-09 by its old address (http://…/schema#); Ajv2019 is that draft.
const { $schema: _draft201909, ...rules } = schema;
const validate = ajv.compile(rules);

const failures = [];
function check(label, condition, detail = '') {
  console.log(`${condition ? 'ok' : 'FAILED'}: ${label}${condition || !detail ? '' : `\n${detail}`}`);
  if (!condition) failures.push(label);
}
const errorsOf = () => JSON.stringify(validate.errors, null, 2);

const document = parse(composeText);
const password = { POSTGRES_PASSWORD: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' };

// .env.example as copied: the required password is empty, and Compose must refuse to start.
let refused = '';
try {
  interpolateValues(document, readEnvFile(envExample));
} catch (error) {
  refused = error.message;
}
check(
  '.env.example as copied: Compose stops at the empty POSTGRES_PASSWORD',
  refused.startsWith('POSTGRES_PASSWORD:'),
);

const filledIn = interpolateValues(document, { ...readEnvFile(envExample), ...password });
check('compose.yaml with .env.example filled in is valid', validate(filledIn), errorsOf());

const everyExample = interpolateValues(document, {
  ...readEnvFile(envExample, { examples: true }),
  ...password,
});
check(
  'compose.yaml with every example of .env.example turned on is valid',
  validate(everyExample),
  errorsOf(),
);
check(
  'the examples reach the file (ICLOOD_PORT, ICLOOD_LIBRARY_PATH)',
  everyExample.services.iclood.environment.includes('PORT=8080') &&
    everyExample.services.iclood.volumes.includes('/mnt/photos:/library'),
);

const documented = readEnvFile(envExample, { examples: true });
const used = [...composeText.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]);
const undocumented = [...new Set(used)].filter((name) => !(name in documented));
check(
  'every variable compose.yaml reads is in .env.example',
  undocumented.length === 0,
  undocumented.join(', '),
);

// The validator is live: a misspelt key is refused.
const misspelt = JSON.parse(JSON.stringify(filledIn));
misspelt.services.postgres.healthcheck.start_periode = '30s';
check('a misspelt key is refused by the schema', !validate(misspelt));

// PostgreSQL's image runs a setup server on its socket only during the first start: healthy
// must mean the real server, reached over TCP as the iclood service reaches it.
check(
  'the postgres healthcheck asks over TCP on 127.0.0.1 (pg_isready --host=127.0.0.1)',
  filledIn.services.postgres.healthcheck.test.join(' ').includes('pg_isready --host=127.0.0.1'),
);

if (failures.length > 0) {
  console.error(`docker/check-compose.mjs: ${failures.length} check(s) failed`);
  process.exit(1);
}
