import type { UserSummary } from '@iclood/api-types';
import { onSessionEnded, toApiError, type ApiError } from './api-client.js';
import { getCurrentUser, getSetupStatus, logOut } from './api.js';

export type SessionPhase = 'loading' | 'setup' | 'login' | 'ready' | 'problem';

/**
 * Who is signed in. The session itself is the server's httpOnly cookie; nothing is kept in
 * browser storage. A 401 from any call ends it here, and the sign-in form brings the person back
 * to the same URL.
 */
class Session {
  phase = $state<SessionPhase>('loading');
  user = $state<UserSummary | null>(null);
  /** How this browser is signed in: a person's login, or a web device paired on the pairing page. */
  kind = $state<'session' | 'device'>('session');
  notice = $state<string | undefined>(undefined);
  problem = $state<ApiError | null>(null);

  constructor() {
    onSessionEnded(() => {
      if (this.phase === 'ready') this.showLogin('Your session has ended. Sign in again.');
    });
  }

  async start(): Promise<void> {
    this.phase = 'loading';
    try {
      const { needed } = await getSetupStatus();
      if (needed) {
        this.phase = 'setup';
        return;
      }
      const me = await getCurrentUser();
      this.signedIn(me.user, me.auth.kind);
    } catch (error) {
      const failure = toApiError(error);
      if (failure.status === 401) this.showLogin();
      else {
        this.problem = failure;
        this.phase = 'problem';
      }
    }
  }

  signedIn(user: UserSummary, kind: 'session' | 'device' = 'session'): void {
    this.user = user;
    this.kind = kind;
    this.notice = undefined;
    this.phase = 'ready';
  }

  showLogin(notice?: string): void {
    this.user = null;
    this.notice = notice;
    this.phase = 'login';
  }

  async signOut(): Promise<void> {
    try {
      await logOut();
    } catch (error) {
      // An expired or revoked session is already signed out.
      if (toApiError(error).status !== 401) throw error;
    }
    this.showLogin('You have signed out.');
  }
}

export const session = new Session();
