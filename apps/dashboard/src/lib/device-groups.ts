import type { HouseholdDevice } from './backup-health.js';

/** Who a group of devices belongs to: enough of a UserSummary to name them. */
export interface DeviceOwner {
  id: string;
  username: string;
  displayName: string | null;
}

export interface DeviceGroup {
  person: DeviceOwner;
  devices: HouseholdDevice[];
}

/**
 * The devices per person: the signed-in person first, then the others by name. With
 * `includeEmpty`, everyone in `people` gets a group, so an admin sees who has no phone yet.
 */
export function groupDevicesByPerson(
  devices: readonly HouseholdDevice[],
  me: DeviceOwner,
  people: readonly DeviceOwner[],
  options: { includeEmpty?: boolean } = {},
): DeviceGroup[] {
  const known = new Map<string, DeviceOwner>(people.map((person) => [person.id, person]));
  known.set(me.id, known.get(me.id) ?? me);
  const groups = new Map<string, DeviceGroup>();
  const groupOf = (id: string) => {
    let group = groups.get(id);
    if (!group) {
      const person = known.get(id) ?? { id, username: 'someone', displayName: 'Another person' };
      groups.set(id, (group = { person, devices: [] }));
    }
    return group;
  };
  groupOf(me.id);
  if (options.includeEmpty) for (const person of people) groupOf(person.id);
  for (const device of devices) groupOf(device.userId).devices.push(device);

  const name = (person: DeviceOwner) => (person.displayName ?? person.username).toLocaleLowerCase();
  return [...groups.values()]
    .filter((group) => group.person.id === me.id || group.devices.length > 0 || options.includeEmpty)
    .sort((a, b) =>
      a.person.id === me.id ? -1 : b.person.id === me.id ? 1 : name(a.person).localeCompare(name(b.person)),
    );
}
