/**
 * The header's class button and dialog (`ClassControl.astro`): join a class, or see the one this
 * browser is in; a learner can leave it there.
 */
import { currentChannel } from './channel.ts';
import { attachJoinForm } from './join-form.ts';
import { fill, loadMembership, MEMBERSHIP_EVENT, saveMembership } from './membership.ts';

interface Strings {
  join: string;
  learner: string;
  teacher: string;
  memberLearner: string;
  memberTeacher: string;
}

export function initClassControl(): void {
  const button = document.querySelector<HTMLButtonElement>('.class-open');
  const dialog = document.querySelector<HTMLDialogElement>('.class-dialog');
  if (!button || !dialog) return;
  const strings = JSON.parse(button.dataset.strings ?? '{}') as Strings;
  const label = button.querySelector<HTMLElement>('.class-label')!;
  const joinSection = dialog.querySelector<HTMLElement>('.cd-join')!;
  const memberSection = dialog.querySelector<HTMLElement>('.cd-member')!;
  const form = dialog.querySelector<HTMLFormElement>('.join-form')!;
  const leave = dialog.querySelector<HTMLButtonElement>('.cd-leave')!;
  const dashboard = dialog.querySelector<HTMLElement>('.cd-dashboard')!;

  const render = () => {
    const m = loadMembership();
    button.toggleAttribute('data-in-class', m !== null);
    label.textContent = m
      ? fill(m.role === 'teacher' ? strings.teacher : strings.learner, { code: m.code })
      : strings.join;
    joinSection.hidden = m !== null;
    memberSection.hidden = m === null;
    leave.hidden = m?.role !== 'learner';
    dashboard.hidden = m?.role !== 'teacher';
    if (m) {
      const text = m.role === 'teacher' ? strings.memberTeacher : strings.memberLearner;
      dialog.querySelector('.cd-member-text')!.textContent = fill(text, {
        code: m.code,
        name: m.role === 'learner' ? m.name : '',
      });
    }
  };

  button.addEventListener('click', () => {
    render();
    dialog.showModal();
    (memberSection.hidden
      ? form.querySelector<HTMLInputElement>('.join-code')
      : dialog.querySelector<HTMLElement>('.cd-close')
    )?.focus();
  });
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  dialog.querySelector('.cd-cancel')?.addEventListener('click', () => dialog.close());
  dialog.querySelector('.cd-close')?.addEventListener('click', () => dialog.close());
  leave.addEventListener('click', () => {
    const channel = currentChannel();
    if (!channel?.send({ type: 'leave' })) saveMembership(null); // offline: forget it here at least
    dialog.close();
  });
  attachJoinForm(form, () => dialog.close());
  document.addEventListener(MEMBERSHIP_EVENT, render);
  render();
}
