// @peculiar/x509 looks up its algorithms through tsyringe, which refuses to load unless the
// Reflect metadata API exists (usually provided by the `reflect-metadata` package). tsyringe
// only calls defineMetadata/getMetadata/getOwnMetadata, so this small version of that API does,
// without another dependency. Import it before @peculiar/x509. It steps aside if a full
// polyfill is already installed.
type MetadataTable = Map<string | symbol | undefined, Map<unknown, unknown>>;

const tables = new WeakMap<object, MetadataTable>();

function ownEntries(
  target: object,
  property?: string | symbol,
  create = false,
): Map<unknown, unknown> | undefined {
  let table = tables.get(target);
  if (!table && create) tables.set(target, (table = new Map()));
  let entries = table?.get(property);
  if (table && !entries && create) table.set(property, (entries = new Map()));
  return entries;
}

const reflect = Reflect as typeof Reflect & { getMetadata?: unknown };

if (typeof reflect.getMetadata !== 'function') {
  Object.assign(Reflect, {
    defineMetadata(key: unknown, value: unknown, target: object, property?: string | symbol): void {
      ownEntries(target, property, true)!.set(key, value);
    },
    hasOwnMetadata(key: unknown, target: object, property?: string | symbol): boolean {
      return ownEntries(target, property)?.has(key) ?? false;
    },
    getOwnMetadata(key: unknown, target: object, property?: string | symbol): unknown {
      return ownEntries(target, property)?.get(key);
    },
    hasMetadata(key: unknown, target: object, property?: string | symbol): boolean {
      for (let at: object | null = target; at; at = Object.getPrototypeOf(at)) {
        if (ownEntries(at, property)?.has(key)) return true;
      }
      return false;
    },
    getMetadata(key: unknown, target: object, property?: string | symbol): unknown {
      for (let at: object | null = target; at; at = Object.getPrototypeOf(at)) {
        const entries = ownEntries(at, property);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
  });
}

export {};
