/** A path cut in the middle to `width` columns (the file name at the end stays visible), padded to it. */
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

export function fitPath(text: string, width: number): string {
	const cut = stringWidth(text) > width ? cliTruncate(text, width, {position: 'middle'}) : text;
	return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}
