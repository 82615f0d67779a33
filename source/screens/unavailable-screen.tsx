import {Text} from 'ink';
import type {Route} from './routes.js';

/** Shown for a route whose screen is not part of this build. */
export function UnavailableScreen({route}: {route: Route}) {
	return <Text>The {route.name} screen is not available in this build. Press esc to go back.</Text>;
}
