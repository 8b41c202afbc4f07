import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
  readonly color: string;
}

interface ChartProps {
  readonly testId: string;
  readonly title: string;
  /** Line charts: seconds since the epoch; bar charts: one label per bar. */
  readonly x: readonly number[] | readonly string[];
  readonly series: readonly Series[];
  readonly kind: 'line' | 'bars';
  /** How a y value reads on the axis (money from minor units, say). */
  readonly formatY: (value: number) => string;
}

const WIDTH = 520;
const HEIGHT = 240;

/** A uPlot chart drawn into a canvas of its own; redrawn when its data changes. */
export function Chart({ testId, title, x, series, kind, formatY }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = container.current;
    if (target === null) return undefined;
    const labels = kind === 'bars' ? (x as readonly string[]) : [];
    const xs =
      kind === 'bars' ? labels.map((_label, index) => index) : [...(x as readonly number[])];
    const bars = uPlot.paths.bars?.({ size: [0.6, 64] });
    const plot = new uPlot(
      {
        width: WIDTH,
        height: HEIGHT,
        legend: { show: series.length > 1 },
        scales: { x: { time: kind === 'line' } },
        axes: [
          kind === 'bars'
            ? { values: (_plot, splits) => splits.map((split) => labels[split] ?? '') }
            : {},
          { values: (_plot, splits) => splits.map(formatY), size: 120 },
        ],
        series: [
          {},
          ...series.map((one) => ({
            label: one.label,
            stroke: one.color,
            width: 2,
            ...(kind === 'bars' && bars !== undefined
              ? { fill: one.color, paths: bars, points: { show: false } }
              : {}),
            value: (_plot: uPlot, value: number | null) => (value === null ? '—' : formatY(value)),
          })),
        ],
      },
      [xs, ...series.map((one) => [...one.values])],
      target,
    );
    return () => plot.destroy();
  }, [x, series, kind, formatY]);
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={container} />
    </figure>
  );
}
