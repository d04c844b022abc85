/**
 * The app's own confirm dialog (window.confirm blocks the page, cannot be styled and is suppressed by
 * some hosts): a view awaits `ask()`, the dialog in App.vue answers it. One question at a time; asking
 * again while one is open answers the earlier one "no", so a double click never leaves a promise hanging.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Question {
  title: string;
  detail: string;
  confirmLabel: string;
}

export const useConfirmStore = defineStore('confirm', () => {
  const question = ref<Question | null>(null);
  let answer: ((yes: boolean) => void) | null = null;

  function ask(q: Question): Promise<boolean> {
    answer?.(false);
    question.value = q;
    return new Promise((resolve) => (answer = resolve));
  }

  function reply(yes: boolean): void {
    const done = answer;
    answer = null;
    question.value = null;
    done?.(yes);
  }

  return { question, ask, reply };
});
