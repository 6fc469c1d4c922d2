#include "app.h"

int main(int argc, char **argv) { return tl_app_main(argc, argv); }
