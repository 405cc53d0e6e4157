// SPDX-License-Identifier: GPL-2.0-or-later
/* The dashboard's key table: no key bound twice, every key named and explained. */
#include "ui/dashboard.h"
#include "tap.h"

int main(void)
{
	int dups = 0;
	for (size_t i = 0; i < ui_nkeys; i++)
		for (size_t j = i + 1; j < ui_nkeys; j++)
			if (ui_keys[i].key == ui_keys[j].key) {
				printf("# key %s bound twice\n", ui_keys[i].name);
				dups++;
			}
	OK(dups == 0, "no key is bound twice (%zu keys)", ui_nkeys);
	int bad = 0;
	for (size_t i = 0; i < ui_nkeys; i++)
		bad += !ui_keys[i].name || !*ui_keys[i].name || !ui_keys[i].help || !*ui_keys[i].help;
	OK(bad == 0, "every key has a name and a help text");
	bool letters_move = false;
	for (size_t i = 0; i < ui_nkeys; i++)
		if (ui_keys[i].key == 'j' || ui_keys[i].key == 'h' || ui_keys[i].key == 'l')
			letters_move = true;
	OK(!letters_move, "no letter keys for movement (k is kill, as in htop)");
	/* the table is also the dispatch: every key has a handler, and a
	 * second code (KEY_ENTER, DEL) is not some other key's */
	int nofn = 0, clash = 0;
	for (size_t i = 0; i < ui_nkeys; i++) {
		nofn += !ui_keys[i].fn;
		for (size_t j = 0; j < ui_nkeys && ui_keys[i].alias; j++)
			clash += ui_keys[i].alias == ui_keys[j].key ||
				 (j != i && ui_keys[i].alias == ui_keys[j].alias);
	}
	OK(nofn == 0, "every key has a handler");
	OK(clash == 0, "no second code of a key is bound to another");
	return tap_done();
}
