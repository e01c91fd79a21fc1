/**
 * The report layer: results folder → SVG figures and index.html (docs/design.md part 2). Reads results
 * only; never imports the model layers. `tcplab report <dir>` and the batch runner call
 * reportFolder; the chart functions are pure (data in, SVG text out) for tests and other tools.
 */
export { reportFolder } from './report-folder.ts';
export type { ReportResult } from './report-folder.ts';
export { buildReport } from './report-build.ts';
export { explorerScript } from './explorer-script.ts';
export type { BuiltReport, FigureFile } from './report-build.ts';
export { readSummary } from './read-results.ts';
export { folderSource } from './folder-source.ts';
export { memorySource } from './results-source.ts';
export type { ResultsSource } from './results-source.ts';
export type { SummaryRead } from './read-results.ts';
export { timeseriesChart } from './timeseries.ts';
export type { TimeseriesChartInput, BandKind } from './timeseries.ts';
export { cdfChart } from './cdf.ts';
export type { CdfChartInput } from './cdf.ts';
export type { SampleRow } from '../schema/results.ts';
export { sweepChart } from './sweep.ts';
export type { SweepChartInput } from './sweep.ts';
export { barChart } from './bar.ts';
export type { BarChartInput } from './bar.ts';
export { ladderChart } from './ladder.ts';
export type { LadderChartInput } from './ladder.ts';
export { ladderModel, listConnections, selectConnection } from './ladder-model.ts';
export type { LadderModel, LadderMessage, ConnectionRef } from './ladder-model.ts';
export { statesChart } from './states.ts';
export type { StatesChartInput } from './states.ts';
export { renderPage } from './page.ts';
export type { PageInput, PageFigure } from './page.ts';
export { listPoints } from './points.ts';
export type { PointInfo, RunInfo } from './points.ts';
export type { ChartResult, Figure, Skipped } from './figure.ts';
export type { ReportChart, ReportChartKind } from './chart-spec.ts';
export type { TraceEvent } from './trace-records.ts';
