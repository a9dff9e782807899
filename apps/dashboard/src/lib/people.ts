/** How the dashboard names a person: their display name, else their username. */
export function personName(person: { username: string; displayName: string | null }): string {
  return person.displayName ?? person.username;
}
