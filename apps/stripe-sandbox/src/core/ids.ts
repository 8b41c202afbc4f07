/** The id an expandable field holds (the store keeps ids; only responses are expanded). */
export function idOf(value: string | { readonly id: string }): string;
export function idOf(value: string | { readonly id: string } | null | undefined): string | null;
export function idOf(value: string | { readonly id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}
