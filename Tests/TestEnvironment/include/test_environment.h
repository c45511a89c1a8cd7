/// Referenced by the tests so the linker keeps the environment set-up (a constructor).
int multitask_test_environment_linked(void);
