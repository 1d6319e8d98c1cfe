#include <mirari/unix.h>

int
main(int argc, char **argv)
{
	mr_unix_main(argc, argv, &app);
}
