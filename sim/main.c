/*
 * main.c - entry point: placeholder until cli.c lands.
 */
#include <stdio.h>

int main(void)
{
	puts("clvsim");
	return 0;
}
