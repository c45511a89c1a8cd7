import Multitask
print("multitask")
