/** The id of an expandable Stripe field, whether it holds the id or the expanded object. */
export function idOf(field: string | { readonly id: string } | null | undefined): string | null {
  if (field === null || field === undefined) return null;
  return typeof field === 'string' ? field : field.id;
}
