/** How many minor units a currency's major unit has (2 for usd, 0 for jpy), as Intl knows it. */
export function minorDigitsOf(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', {
        style: 'currency',
        currency: currency.toUpperCase(),
      }).resolvedOptions().maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/**
 * Integer minor units as money (`1,234.56 USD`): split with integer
 * arithmetic on the decimal text, never through a float.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  const digits = minorDigitsOf(currency);
  const negative = minorUnits < 0;
  const text = Math.abs(Math.trunc(minorUnits))
    .toString()
    .padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${digits > 0 ? `.${fraction}` : ''} ${currency.toUpperCase()}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

/** A rate given as 6-decimal text (`0.125000`) as a percentage, from its text. */
export function formatRate(rate: string): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  if (match === null) return rate;
  const [, whole = '0', fraction = ''] = match;
  const padded = `${fraction}000000`;
  const percentWhole = `${whole}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  return `${percentWhole}.${padded.slice(2, 4)} %`;
}

export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  return new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function formatDate(iso: string | null): string {
  return iso === null ? '—' : iso.slice(0, 10);
}

/** YYYY-MM-DD of a UTC day `daysAgo` before today. */
export function utcDay(daysAgo = 0, now = new Date()): string {
  return new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

export function currentBillingPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}
