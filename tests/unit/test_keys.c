// SPDX-License-Identifier: GPL-2.0-or-later
/* The dashboard's key table: no key bound twice, every key named and explained. */
#include "nstop.h"
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
	return tap_done();
}
