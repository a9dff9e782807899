import { describe, expect, it } from 'vitest';
import type { HouseholdDevice } from '../../src/lib/backup-health.js';
import { groupDevicesByPerson } from '../../src/lib/device-groups.js';

const anna = { id: 'a', username: 'anna', displayName: 'Anna' };
const tom = { id: 't', username: 'tom', displayName: null };
const ben = { id: 'b', username: 'ben', displayName: 'Ben' };
const device = (name: string, userId: string) => ({ name, userId }) as HouseholdDevice;

describe('groupDevicesByPerson', () => {
  it('puts the signed-in person first, then the others by name', () => {
    const groups = groupDevicesByPerson(
      [device('T1', 't'), device('A1', 'a'), device('B1', 'b'), device('T2', 't')],
      anna,
      [tom, anna, ben],
    );
    expect(groups.map((group) => [group.person.id, group.devices.map((d) => d.name)])).toEqual([
      ['a', ['A1']],
      ['b', ['B1']],
      ['t', ['T1', 'T2']],
    ]);
  });

  it('lists people without devices only when asked', () => {
    expect(groupDevicesByPerson([device('Mine', 'a')], anna, [tom]).map((g) => g.person.id)).toEqual(['a']);
    expect(
      groupDevicesByPerson([device('Mine', 'a')], anna, [tom], { includeEmpty: true }).map(
        (g) => g.person.id,
      ),
    ).toEqual(['a', 't']);
  });
});
