import type { SandboxStore } from '../store/sandbox-store.js';

function termsIdOf(invoice: string): string {
  return `sandbox_terms_${invoice}`;
}

/** Remembers that a draft is due `days` after it is finalized. Inside a store transaction. */
export function rememberDaysUntilDue(
  store: SandboxStore,
  invoice: string,
  days: number,
  now: number,
): void {
  const id = termsIdOf(invoice);
  store.remove('sandbox.invoice_terms', id);
  store.insert('sandbox.invoice_terms', {
    id,
    object: 'sandbox.invoice_terms',
    created: now,
    invoice,
    days_until_due: days,
  });
}

/** Forgets a draft's `days_until_due` (a fixed `due_date` replaced it, or it was deleted). */
export function forgetDaysUntilDue(store: SandboxStore, invoice: string): void {
  store.remove('sandbox.invoice_terms', termsIdOf(invoice));
}

/** The `days_until_due` a draft was given, forgotten as it is finalized; null if it was given none. */
export function takeDaysUntilDue(store: SandboxStore, invoice: string): number | null {
  const terms = store.find('sandbox.invoice_terms', termsIdOf(invoice));
  if (terms === undefined) return null;
  store.remove('sandbox.invoice_terms', terms.id);
  return terms.days_until_due;
}
