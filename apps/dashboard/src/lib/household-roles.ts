// Who may manage the household, and how a role and a count read in a sentence.

/** A role as the server sends it ('owner' | 'admin' | 'member'; 'admin' since issue 12). */
export interface HasRole {
  role: string;
}

/**
 * True for the owner and for admins: the people who may open the People page, see the whole
 * household's storage and act on the server. Anything else, unknown roles included, is a member.
 */
export function managesHousehold(user: HasRole | null | undefined): boolean {
  return user?.role === 'owner' || user?.role === 'admin';
}

/** True for an admin (not the owner). */
export function isAdmin(user: HasRole): boolean {
  return user.role === 'admin';
}

/** "Owner", "Admin", "Member". */
export function roleLabel(role: string): string {
  if (role === 'owner') return 'Owner';
  if (role === 'admin') return 'Admin';
  return 'Member';
}

/** "1 photo or video", "3 photos and videos". */
export function itemCount(items: number): string {
  return items === 1 ? '1 photo or video' : `${items} photos and videos`;
}

/** "1 other session", "2 other sessions": `count` of `noun` with an English plural. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
