import type { UserSummary } from '@iclood/api-types';
import { toApiError } from './api-client.js';
import { getCurrentUser, getSetupStatus } from './iclood-api.js';
import { renderLoadingView } from './views/loading-view.js';
import { renderLoginView } from './views/login-view.js';
import { renderServerProblemView } from './views/server-problem-view.js';
import { renderSetupView } from './views/setup-view.js';
import { renderSignedInView } from './views/signed-in-view.js';
import type { Screens, View } from './views/view.js';

/**
 * Runs the page in `root`: first-run setup, sign-in, or the signed-in page, as the server says.
 * The session lives in the server's httpOnly cookie; nothing is kept in browser storage.
 */
export function startDashboard(root: HTMLElement): void {
  // Focus follows the person's own actions only; a fresh page load leaves it where the browser put it.
  function show(view: View, moveFocus: boolean): void {
    root.replaceChildren(view.element);
    document.title = `${view.title} · iClood`;
    if (moveFocus) view.heading.focus();
  }

  async function showStartScreen(moveFocus: boolean): Promise<void> {
    show(renderLoadingView(), moveFocus);
    let next: View;
    try {
      const { needed } = await getSetupStatus();
      next = needed ? renderSetupView(screens) : renderSignedInView(screens, (await getCurrentUser()).user);
    } catch (error) {
      const failure = toApiError(error);
      next = failure.status === 401 ? renderLoginView(screens) : renderServerProblemView(screens, failure);
    }
    show(next, moveFocus);
  }

  const screens: Screens = {
    showStart: () => void showStartScreen(true),
    showLogin: (notice?: string) => show(renderLoginView(screens, notice), true),
    showSignedIn: (user: UserSummary) => show(renderSignedInView(screens, user), true),
  };

  void showStartScreen(false);
}
