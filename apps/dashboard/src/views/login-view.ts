import { toApiError } from '../api-client.js';
import { createElement } from '../create-element.js';
import { describeApiError } from '../error-messages.js';
import { logIn } from '../iclood-api.js';
import {
  clearButtonBusy,
  clearFormAlert,
  createFormAlert,
  createFormField,
  isButtonBusy,
  setButtonBusy,
  showFormAlert,
} from './form-controls.js';
import type { Screens, View } from './view.js';

/** The sign-in form; on success the server sets the session cookie. */
export function renderLoginView(screens: Screens, notice?: string): View {
  const username = createFormField({
    id: 'login-username',
    label: 'Username',
    autocomplete: 'username',
    maxLength: 64,
  });
  const password = createFormField({
    id: 'login-password',
    label: 'Password',
    type: 'password',
    autocomplete: 'current-password',
    maxLength: 1024,
  });
  const alert = createFormAlert();
  const submit = createElement('button', { type: 'submit', class: 'button primary' }, ['Sign in']);
  const form = createElement('form', { class: 'stack', 'aria-labelledby': 'login-heading' }, [
    username.field,
    password.field,
    alert,
    submit,
  ]);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!isButtonBusy(submit)) void signIn();
  });

  async function signIn(): Promise<void> {
    clearFormAlert(alert);
    setButtonBusy(submit, 'Signing in…');
    try {
      const result = await logIn({ username: username.input.value.trim(), password: password.input.value });
      screens.showSignedIn(result.user);
    } catch (error) {
      const failure = toApiError(error);
      clearButtonBusy(submit);
      showFormAlert(alert, describeApiError(failure));
      if (failure.code === 'INVALID_CREDENTIALS') {
        password.input.value = '';
        password.input.focus();
      }
    }
  }

  const heading = createElement('h1', { id: 'login-heading', tabindex: -1 }, ['Sign in']);
  const element = createElement('section', { class: 'card narrow' }, [
    heading,
    notice && createElement('p', { class: 'notice', role: 'status' }, [notice]),
    form,
  ]);
  return { title: 'Sign in', element, heading };
}
