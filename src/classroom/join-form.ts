/**
 * Sends the join form (`JoinForm.astro`): the class code and a display name, with this tab's lab
 * session, so the server binds that session to the class room. Refusals are worded for the
 * learner from the status; the server's own sentence is kept for the rest.
 */
import { sessionId } from '../playground/session.ts';
import { joinClass, normalizeCode } from './api.ts';
import { fill, loadMembership, saveMembership } from './membership.ts';

interface Strings {
  joining: string;
  submit: string;
  code: string;
  name: string;
  full: string;
  busy: string;
  other: string;
  offline: string;
}

/** Wires a join form; `joined` runs after the membership is saved. */
export function attachJoinForm(form: HTMLFormElement, joined: (lesson: string | null) => void): void {
  const strings = JSON.parse(form.dataset.strings ?? '{}') as Strings;
  const code = form.querySelector<HTMLInputElement>('.join-code')!;
  const name = form.querySelector<HTMLInputElement>('.join-name')!;
  const error = form.querySelector<HTMLElement>('.join-error')!;
  const submit = form.querySelector<HTMLButtonElement>('.join-submit')!;

  try {
    name.value = localStorage.getItem('wl-class-name') ?? '';
  } catch {
    // no storage: type it again
  }
  const show = (text: string, field: HTMLInputElement | null) => {
    error.textContent = text;
    error.hidden = !text;
    code.toggleAttribute('aria-invalid', field === code);
    name.toggleAttribute('aria-invalid', field === name);
    field?.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const c = normalizeCode(code.value);
    const n = name.value.trim();
    if (!/^[A-HJKMNP-Z2-9]{6}$/.test(c)) return show(strings.code, code);
    if (!n || [...n].length > 40) return show(strings.name, name);
    show('', null);
    // Already in this class under this name (the link opened again): nothing to do.
    const m = loadMembership();
    if (m?.role === 'learner' && m.code === c && m.name === n) return joined(null);
    submit.disabled = true;
    submit.textContent = strings.joining;
    const answer = await joinClass(c, n, sessionId());
    submit.disabled = false;
    submit.textContent = strings.submit;
    if (!answer.ok) {
      if (answer.status === 0) return show(strings.offline, null);
      if (answer.status === 404 || (answer.status === 400 && /join code/.test(answer.reason)))
        return show(strings.code, code);
      if (answer.status === 400 && /^Bad name/.test(answer.reason)) return show(strings.name, name);
      if (answer.status === 503 && /maxLearnersPerClass/.test(answer.reason)) return show(strings.full, null);
      if (answer.status === 429) return show(strings.busy, null);
      return show(fill(strings.other, { reason: answer.reason }), null);
    }
    const { learner } = answer.value;
    try {
      localStorage.setItem('wl-class-name', learner.name);
    } catch {
      // as above
    }
    saveMembership({ role: 'learner', code: c, token: learner.token, id: learner.id, name: learner.name });
    joined(answer.value.class.lesson);
  });
}

/** Puts a code from the URL's fragment (`#B8K4QZ`) into the form. */
export function codeFromHash(form: HTMLFormElement): void {
  const c = normalizeCode(decodeURIComponent(location.hash.slice(1)));
  if (!c) return;
  form.querySelector<HTMLInputElement>('.join-code')!.value = c;
  form.querySelector<HTMLInputElement>('.join-name')!.focus();
}
