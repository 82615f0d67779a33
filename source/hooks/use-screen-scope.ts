/** An AbortSignal that lives as long as the screen: work a screen starts for itself stops when it is left. */
import {useEffect, useRef} from 'react';

/** A ref to the screen's current AbortController (aborted on unmount; a new one after a remount). */
export function useScreenScope() {
	const scope = useRef<AbortController | undefined>(undefined);
	useEffect(() => {
		const controller = new AbortController();
		scope.current = controller;
		return () => controller.abort();
	}, []);
	return scope;
}
