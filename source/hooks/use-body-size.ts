import {createContext, useContext} from 'react';

/** Width and height available to the current screen's body (set by the App layout). */
export const BodySize = createContext<{width: number; height: number}>({width: 80, height: 21});

/** The body size for the current screen. */
export function useBodySize(): {width: number; height: number} {
	return useContext(BodySize);
}

/** False for screens kept mounted below the top of the route stack: they keep state but get no keys. */
export const ScreenActive = createContext(true);
