import type { UserSummary } from '@iclood/api-types';

/** One screen of the page: what to mount, what to call it, where focus goes when it appears. */
export interface View {
  title: string;
  element: HTMLElement;
  heading: HTMLElement;
}

/** How a view asks for the next screen, without knowing how screens are mounted. */
export interface Screens {
  /** Ask the server what to show: first-run setup, sign-in, or the signed-in page. */
  showStart(): void;
  showLogin(notice?: string): void;
  showSignedIn(user: UserSummary): void;
}
