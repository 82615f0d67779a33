/** The diff screen's state and commands: the scroll position over the diff lines. */
import {useState} from 'react';
import {moveCursor} from '../../components/list.js';
import {useBodySize} from '../../hooks/use-body-size.js';
import {useCommands} from '../../hooks/use-commands.js';

/** State and commands of the diff screen (see DiffScreen for the view). */
export function useDiffScreen(lines: readonly string[]) {
	const {height} = useBodySize();
	const [top, setTop] = useState(0);
	const page = Math.max(1, height - 2);
	const move = (cmd: Parameters<typeof moveCursor>[2]) => setTop(t => moveCursor(t, Math.max(1, lines.length - page + 1), cmd, page));
	useCommands(['list'], {'list.down': () => move('down'), 'list.up': () => move('up'), 'list.pageDown': () => move('pageDown'), 'list.pageUp': () => move('pageUp'), 'list.top': () => move('top'), 'list.bottom': () => move('bottom')});
	return {top, page};
}
