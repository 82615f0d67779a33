/** The part of React's `scheduler` (a dependency of react-reconciler, which Ink uses) that resto calls. */
declare module 'scheduler' {
	export const unstable_NormalPriority: number;
	export function unstable_scheduleCallback(priority: number, callback: () => void): unknown;
}
